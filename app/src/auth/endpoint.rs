//! Which tools a request may list and call: those of the endpoint it came in on (`/mcp`
//! offers every tool, `/mcp/readonly` only the ones that do not write, [`UseCase::writes`]
//! being the one list), narrowed by an optional `X-MCP-Tools: a,b` header to the tools it
//! names. The bearer middleware builds an [`OfferedTools`] for every request and hands it to
//! the tool layer, which lists only those tools and refuses a call of any other as it
//! refuses an unknown tool.

use actix_web::http::header::HeaderMap;
use domain::usecases::UseCase;

/// The header that narrows a connection to the tools it names.
pub const TOOLS_HEADER: &str = "x-mcp-tools";

/// An MCP endpoint: the same server, with every tool or only the reading ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/mcp`: every tool.
    Full,
    /// `/mcp/readonly`: the tools that do not write; its tokens never carry `data:write`.
    ReadOnly,
}

impl Endpoint {
    /// Its path.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::Full => "/mcp",
            Self::ReadOnly => "/mcp/readonly",
        }
    }

    /// Its URL under `issuer` (the public URL): the protected resource, and the audience of
    /// the tokens it accepts.
    #[must_use]
    pub fn resource(self, issuer: &str) -> String {
        format!("{issuer}{}", self.path())
    }

    /// True when it offers `tool`.
    #[must_use]
    pub const fn offers(self, tool: UseCase) -> bool {
        match self {
            Self::Full => true,
            Self::ReadOnly => !tool.writes(),
        }
    }
}

/// The tools one request may list and call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedTools {
    endpoint: Endpoint,
    /// The tools `X-MCP-Tools` named, when it was sent.
    named: Option<Vec<UseCase>>,
}

impl OfferedTools {
    /// The tools of `endpoint` narrowed by the request's `X-MCP-Tools` header(s).
    ///
    /// # Errors
    /// The header is empty, not text, or names a tool that does not exist: what to fix, in
    /// words (the request is answered `400`).
    pub fn of(endpoint: Endpoint, headers: &HeaderMap) -> Result<Self, String> {
        let mut values = headers.get_all(TOOLS_HEADER).peekable();
        if values.peek().is_none() {
            return Ok(Self {
                endpoint,
                named: None,
            });
        }
        // Repeated headers are one comma-separated list (RFC 9110 §5.3).
        let mut joined = Vec::new();
        for value in values {
            let text = value
                .to_str()
                .map_err(|_| "the X-MCP-Tools header is not plain text".to_owned())?;
            joined.push(text);
        }
        let named = parse_tools(&joined.join(","))?;
        Ok(Self {
            endpoint,
            named: Some(named),
        })
    }

    /// Every tool of the endpoint, not narrowed.
    #[must_use]
    pub const fn all_of(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            named: None,
        }
    }

    /// True when the request may list and call the tool called `name`.
    #[must_use]
    pub fn allows(&self, name: &str) -> bool {
        UseCase::named(name).is_some_and(|tool| self.allows_tool(tool))
    }

    fn allows_tool(&self, tool: UseCase) -> bool {
        self.endpoint.offers(tool) && self.named.as_ref().is_none_or(|n| n.contains(&tool))
    }

    /// The names of the tools it allows, in listing order.
    #[must_use]
    pub fn names(&self) -> Vec<&'static str> {
        UseCase::ALL
            .into_iter()
            .filter(|t| self.allows_tool(*t))
            .map(UseCase::name)
            .collect()
    }

    /// Why a call of `name`, a tool that exists, is refused here (`None` when it is not).
    #[must_use]
    pub fn refusal(&self, name: &str) -> Option<String> {
        let tool = UseCase::named(name)?;
        if !self.endpoint.offers(tool) {
            return Some(format!(
                "{name} is not a tool of {}, the read-only endpoint: it offers only the tools that read (tools/list shows them); connect to /mcp to change data",
                self.endpoint.path()
            ));
        }
        if self.allows_tool(tool) {
            return None;
        }
        let allowed = self.names();
        Some(if allowed.is_empty() {
            format!(
                "{name} is not a tool of this connection: its X-MCP-Tools header names no tool {} offers",
                self.endpoint.path()
            )
        } else {
            format!(
                "{name} is not a tool of this connection: its X-MCP-Tools header allows only {}",
                allowed.join(", ")
            )
        })
    }
}

/// The tools an `X-MCP-Tools` value names: comma-separated tool names, exact, with spaces
/// around them allowed.
///
/// # Errors
/// No name at all, or a name that is no tool (the message lists the tools there are).
pub fn parse_tools(value: &str) -> Result<Vec<UseCase>, String> {
    let mut tools = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let Some(tool) = UseCase::named(name) else {
            let known: Vec<&str> = UseCase::ALL.into_iter().map(UseCase::name).collect();
            return Err(format!(
                "X-MCP-Tools names an unknown tool \"{name}\"; the tools are {}",
                known.join(", ")
            ));
        };
        if !tools.contains(&tool) {
            tools.push(tool);
        }
    }
    if tools.is_empty() {
        return Err(
            "the X-MCP-Tools header is empty: name the tools to allow, comma-separated (e.g. X-MCP-Tools: list_projects, query_data), or leave the header out for every tool".to_owned(),
        );
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                HeaderName::from_static(TOOLS_HEADER),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn names_are_exact_and_may_have_spaces_around_commas() {
        assert_eq!(
            parse_tools(" list_projects ,query_data,  count_data").unwrap(),
            [
                UseCase::ListProjects,
                UseCase::QueryData,
                UseCase::CountData
            ]
        );
        assert_eq!(
            parse_tools("get_data,get_data,").unwrap(),
            [UseCase::GetData],
            "a repeated name and a trailing comma change nothing"
        );
        let wrong_case = parse_tools("Query_Data").unwrap_err();
        assert!(wrong_case.contains("\"Query_Data\""), "{wrong_case}");
    }

    #[test]
    fn an_unknown_name_is_refused_naming_it_and_every_tool() {
        let refused = parse_tools("query_data, drop_tables").unwrap_err();
        assert!(refused.contains("\"drop_tables\""), "{refused}");
        for tool in UseCase::ALL {
            assert!(refused.contains(tool.name()), "{refused}");
        }
    }

    #[test]
    fn an_empty_or_blank_header_is_refused() {
        for value in ["", "   ", " , ,"] {
            let refused = parse_tools(value).unwrap_err();
            assert!(refused.contains("empty"), "{value:?}: {refused}");
        }
        assert!(OfferedTools::of(Endpoint::Full, &headers(&[b"  "])).is_err());
    }

    #[test]
    fn a_value_that_is_not_text_is_refused() {
        let refused = OfferedTools::of(Endpoint::Full, &headers(&[b"query_data\xff"])).unwrap_err();
        assert!(refused.contains("plain text"), "{refused}");
    }

    #[test]
    fn repeated_headers_are_one_list() {
        let offered =
            OfferedTools::of(Endpoint::Full, &headers(&[b"query_data", b"get_data"])).unwrap();
        assert_eq!(offered.names(), ["query_data", "get_data"]);
    }

    #[test]
    fn without_the_header_an_endpoint_offers_its_own_tools() {
        let full = OfferedTools::of(Endpoint::Full, &HeaderMap::new()).unwrap();
        assert_eq!(full.names().len(), UseCase::ALL.len());
        let read_only = OfferedTools::of(Endpoint::ReadOnly, &HeaderMap::new()).unwrap();
        let expected: Vec<&str> = UseCase::ALL
            .into_iter()
            .filter(|t| !t.writes())
            .map(UseCase::name)
            .collect();
        assert_eq!(read_only.names(), expected);
        assert!(read_only.allows("query_data"));
        assert!(!read_only.allows("create_data"));
        assert!(!full.allows("no_such_tool"));
    }

    #[test]
    fn the_header_narrows_within_the_endpoint() {
        let narrowed =
            OfferedTools::of(Endpoint::ReadOnly, &headers(&[b"query_data, update_data"])).unwrap();
        assert_eq!(narrowed.names(), ["query_data"]);
        let refused = narrowed.refusal("update_data").unwrap();
        assert!(refused.contains("read-only endpoint"), "{refused}");
        assert!(refused.contains("/mcp"), "{refused}");
        let refused = narrowed.refusal("get_data").unwrap();
        assert!(
            refused.contains("X-MCP-Tools") && refused.contains("query_data"),
            "{refused}"
        );
        assert_eq!(narrowed.refusal("query_data"), None);
        assert_eq!(narrowed.refusal("no_such_tool"), None, "left to the router");
    }

    #[test]
    fn a_header_naming_only_write_tools_leaves_the_read_only_endpoint_nothing() {
        let nothing = OfferedTools::of(Endpoint::ReadOnly, &headers(&[b"create_data"])).unwrap();
        assert!(nothing.names().is_empty());
        let refused = nothing.refusal("create_data").unwrap();
        assert!(refused.contains("read-only endpoint"), "{refused}");
        let refused = nothing.refusal("query_data").unwrap();
        assert!(refused.contains("names no tool"), "{refused}");
    }
}
