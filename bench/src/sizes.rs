//! What a page costs a model: the first `query_data` page of 50 of the bench's entries as the
//! tool answers it by default, and the same page with every system field included (the
//! shape every page had before lists were cut down, issue #15). For each: the bytes of the
//! text copy (what a client puts in the model's context), of the whole HTTP answer (the
//! structured content and the text), and the text's tokens under OpenAI's `o200k_base`.

use anyhow::Context;
use serde_json::{Value, json};

use crate::server::ToolClient;

/// One shape of the page.
pub struct PageSize {
    pub label: String,
    pub entries: usize,
    pub text_bytes: usize,
    pub http_bytes: usize,
    pub tokens: usize,
}

/// Both shapes of the first page of `arguments`' collection.
///
/// # Errors
/// A call failed or the tokenizer could not be built.
pub async fn measure(client: &ToolClient, arguments: &Value) -> anyhow::Result<Vec<PageSize>> {
    let bpe = tiktoken_rs::o200k_base().map_err(|e| anyhow::anyhow!("o200k_base: {e}"))?;
    let all = domain::query::ON_REQUEST_FIELDS;
    let mut out = Vec::new();
    for (label, extra) in [
        ("default (own fields, id, revision, updatedAt)", json!({})),
        (
            "include every system field (the old default)",
            json!({"include": all}),
        ),
    ] {
        let mut args = arguments.clone();
        if let (Some(args), Some(extra)) = (args.as_object_mut(), extra.as_object()) {
            args.extend(extra.clone());
            args.insert("limit".into(), json!(50));
        }
        let (http_bytes, result) = client.call_raw("query_data", &args).await?;
        let text = result["content"][0]["text"]
            .as_str()
            .context("query_data answered no text")?;
        out.push(PageSize {
            label: label.to_owned(),
            entries: result["structuredContent"]["returned"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0),
            text_bytes: text.len(),
            http_bytes,
            tokens: bpe.encode_with_special_tokens(text).len(),
        });
    }
    Ok(out)
}
