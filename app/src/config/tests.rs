use super::*;

// The environment is process-wide; these tests only use files and defaults.

fn write(contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::io::Write::write_all(&mut file, contents.as_bytes()).unwrap();
    file
}

#[test]
fn the_defaults_load_and_point_at_the_embedded_database() {
    let s = Settings::load(None).unwrap();
    assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(s.issuer(), "http://127.0.0.1:8080");
    assert_eq!(s.resource(), "http://127.0.0.1:8080/mcp");
    assert!(s.allowed_hosts().contains(&"localhost:8080".to_owned()));
}

#[test]
fn an_unknown_key_stops_start_up_naming_it() {
    let f = write("[server]\nbindd = \"x\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("bindd"), "{err}");
}

#[test]
fn a_bad_value_stops_start_up_naming_the_key() {
    let f = write("[auth]\naccess_token_ttl = \"soon\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("soon") && err.contains("duration"), "{err}");
}

#[test]
fn an_empty_host_list_is_a_start_up_error() {
    let f = write("[server]\nallowed_hosts = []\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("allowed_hosts"), "{err}");
}

#[test]
fn a_public_url_with_a_path_is_refused() {
    let f = write("[server]\npublic_url = \"https://example.com/x\"\n");
    assert!(Settings::load(Some(f.path())).is_err());
}

#[test]
fn the_public_url_sets_issuer_audience_and_allowed_host() {
    let f = write(
        "[server]\npublic_url = \"https://mcp.example.com\"\nbind = \"0.0.0.0:8080\"\n[identity]\nprovider = \"oidc\"\n[identity.oidc]\nissuer = \"https://id.example.com\"\nclient_id = \"c\"\n",
    );
    let s = Settings::load(Some(f.path())).unwrap();
    assert_eq!(s.issuer(), "https://mcp.example.com");
    assert_eq!(s.resource(), "https://mcp.example.com/mcp");
    assert_eq!(s.allowed_hosts(), vec!["mcp.example.com".to_owned()]);
}

#[test]
fn every_default_origin_names_its_port_and_loopback_origins_any_port() {
    let s = Settings::load(None).unwrap();
    assert_eq!(
        s.allowed_origins(),
        [
            "http://127.0.0.1:*",
            "http://127.0.0.1:8080",
            "http://[::1]:*",
            "http://localhost:*"
        ]
    );
    let f = write(
        "[server]\npublic_url = \"https://mcp.example.com\"\nbind = \"0.0.0.0:8080\"\n[identity]\nprovider = \"oidc\"\n[identity.oidc]\nissuer = \"https://id.example.com\"\nclient_id = \"c\"\n",
    );
    let s = Settings::load(Some(f.path())).unwrap();
    assert_eq!(s.allowed_origins(), ["https://mcp.example.com:443"]);
}

#[test]
fn a_missing_config_file_is_an_error() {
    assert!(Settings::load(Some(Path::new("/nonexistent/platform-mcp.toml"))).is_err());
}

#[test]
fn the_dev_login_refuses_a_non_loopback_bind() {
    let f = write("[server]\nbind = \"0.0.0.0:8080\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn oidc_without_its_issuer_is_refused() {
    let f = write("[identity]\nprovider = \"oidc\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("identity.oidc.issuer"), "{err}");
}

#[test]
fn the_dev_login_refuses_a_public_url_that_is_not_loopback() {
    let f =
        write("[server]\nbind = \"127.0.0.1:8080\"\npublic_url = \"https://mcp.example.com\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("public_url is loopback"), "{err}");
    for loopback in [
        "http://localhost:8080",
        "http://127.0.0.1:9000",
        "http://[::1]:8080",
    ] {
        let f = write(&format!("[server]\npublic_url = \"{loopback}\"\n"));
        assert!(Settings::load(Some(f.path())).is_ok(), "{loopback}");
    }
}

#[test]
fn the_statement_timeout_is_bounded() {
    let s = Settings::load(None).unwrap();
    assert_eq!(
        s.database.statement_timeout,
        std::time::Duration::from_secs(10)
    );
    let f = write("[database]\nstatement_timeout = \"10ms\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("database.statement_timeout"), "{err}");
}

#[test]
fn a_key_lead_shorter_than_the_reload_interval_is_refused() {
    let f = write("[auth]\nkey_reload_interval = \"60s\"\nkey_publish_lead = \"30s\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("key_publish_lead"), "{err}");
    let s = Settings::load(None).unwrap();
    assert!(s.auth.key_publish_lead >= s.auth.key_reload_interval);
}

#[test]
fn metrics_are_on_the_main_port_only_of_a_local_server_unless_asked() {
    let mut s = Settings::load(None).unwrap().server;
    assert!(s.metrics_on_main_port(), "loopback, no public URL");
    s.public_url = Some("http://localhost:8080".parse().unwrap());
    assert!(s.metrics_on_main_port());
    s.public_url = Some("https://mcp.example.com".parse().unwrap());
    assert!(
        !s.metrics_on_main_port(),
        "behind a proxy the main port is public"
    );
    s.public_url = None;
    s.bind = "0.0.0.0:8080".parse().unwrap();
    assert!(!s.metrics_on_main_port(), "a public bind");
    s.metrics_on_main_port = Some(true);
    assert!(s.metrics_on_main_port());
}

#[test]
fn history_is_kept_forever_unless_a_retention_is_set() {
    let s = Settings::load(None).unwrap();
    assert_eq!(s.history.retention, None);
    assert_eq!(s.history.purge_before(chrono::Utc::now()), None);
    let f = write("[history]\nretention = \"forever\"\n");
    let s = Settings::load(Some(f.path())).unwrap();
    assert_eq!(s.history.retention, None);
}

#[test]
fn a_history_retention_in_days_sets_the_purge_cutoff() {
    let f = write("[history]\nretention = \"365d\"\n");
    let s = Settings::load(Some(f.path())).unwrap();
    assert_eq!(
        s.history.retention,
        Some(Duration::from_secs(365 * 24 * 3600))
    );
    let now = chrono::Utc::now();
    assert_eq!(
        s.history.purge_before(now),
        Some(now - chrono::TimeDelta::days(365))
    );
}

#[test]
fn a_history_retention_too_short_or_not_a_duration_is_refused_naming_the_key() {
    let f = write("[history]\nretention = \"12h\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(
        err.contains("history.retention") && err.contains("1d"),
        "{err}"
    );
    let f = write("[history]\nretention = \"a year\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("a year") && err.contains("forever"), "{err}");
}

#[test]
fn a_retention_beyond_what_the_clock_can_name_purges_nothing() {
    let history = HistorySettings {
        retention: Some(Duration::from_secs(u64::MAX)),
    };
    assert_eq!(history.purge_before(chrono::Utc::now()), None);
}

#[test]
fn the_untrusted_fence_is_off_unless_asked_and_takes_a_boolean_only() {
    assert!(!Settings::load(None).unwrap().server.untrusted_fence);
    let f = write("[server]\nuntrusted_fence = true\n");
    assert!(
        Settings::load(Some(f.path()))
            .unwrap()
            .server
            .untrusted_fence
    );
    let f = write("[server]\nuntrusted_fence = \"sometimes\"\n");
    let err = format!("{:#}", Settings::load(Some(f.path())).unwrap_err());
    assert!(err.contains("untrusted_fence"), "{err}");
}
