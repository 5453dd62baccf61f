//! Consent that gives less, over real HTTP: the page lists the person's projects with their
//! roles; a grant for one project, read-only, sees that project alone (another is
//! NOT_FOUND, a write is `403 insufficient_scope`); `prompt=consent` shows the page again
//! starting from that choice; without it the remembered choice is reused as stored; and a
//! form naming a project that is not the person's is refused with a page and stores nothing.

use serde_json::json;

use super::flow::*;
use super::scoped_world::*;
use crate::e2e::harness::{TestServer, e2e};

/// The checkbox of `project` on the consent page, as drawn.
fn checkbox(html: &str, project: &str) -> String {
    let marker = format!("name=\"project\" value=\"{project}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no checkbox for {project} in {html}"));
    html[start..].split('>').next().unwrap().to_owned()
}

/// The radio `name`=`value` on the consent page, as drawn.
fn radio(html: &str, name: &str, value: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"{value}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name}={value} in {html}"));
    html[start..].split('>').next().unwrap().to_owned()
}

async fn one_project_read_only_sees_that_project_alone_and_is_remembered(server: TestServer) {
    let w = two_projects(&server).await;
    let (chosen, other) = (w.chosen.to_string(), w.other.to_string());
    let client_id = register(&server).await;
    let browser = browser();
    let (verifier, challenge) = pkce();
    let html = consent_page(
        &server,
        &browser,
        &authorize_url(&server, &client_id, &challenge, &[]),
        &w.email,
    )
    .await;
    // Both projects offered, each with the person's role; "all" is where a first visit starts.
    for (id, name, role) in [(&chosen, "E2E", "editor"), (&other, "Finance", "admin")] {
        let drawn = checkbox(&html, id);
        assert!(!drawn.contains("checked"), "{drawn}");
        let label = &html[html.find(drawn.as_str()).unwrap()..];
        let label = label.split("</label>").next().unwrap();
        assert!(label.contains(name) && label.contains(role), "{label}");
    }
    assert!(radio(&html, "projects", "all").contains("checked"));
    assert!(!radio(&html, "projects", "chosen").contains("checked"));

    let tokens = allow_and_exchange(
        &server,
        &browser,
        &html,
        &only(w.chosen, "read"),
        &client_id,
        &verifier,
    )
    .await;
    assert!(!tokens["scope"].as_str().unwrap().contains("data:write"));
    let first = tokens["access_token"].as_str().unwrap().to_owned();
    let base = server.base.as_str();
    assert_eq!(listed(base, &first).await, vec![chosen.clone()]);
    for (name, args) in [
        ("list_types", json!({"projectId": other})),
        (
            "query_data",
            json!({"projectId": other, "collectionName": "tasks"}),
        ),
    ] {
        assert_eq!(tool_error(base, &first, name, args).await, "NOT_FOUND");
    }
    ok(base, &first, "list_types", json!({"projectId": chosen})).await;
    ok(
        base,
        &first,
        "query_data",
        json!({"projectId": chosen, "collectionName": "tasks"}),
    )
    .await;
    let (status, headers, _) = tool(
        base,
        &first,
        "create_data",
        json!({"projectId": chosen, "collectionName": "tasks", "data": {"title": "no"}}),
    )
    .await;
    assert_eq!(status, 403);
    assert!(www_authenticate(&headers).contains("insufficient_scope"));

    // The same person through a grant of every project reaches the other one: the refusals
    // above are the grant's.
    let everything = server.rw_token(w.user).await;
    assert_eq!(listed(base, &everything).await.len(), 2);
    ok(base, &everything, "list_types", json!({"projectId": other})).await;

    // prompt=consent: the page again, starting from the earlier choice.
    let (verifier, challenge) = pkce();
    let again = authorize_url(&server, &client_id, &challenge, &[("prompt", "consent")]);
    let html = consent_page(&server, &browser, &again, &w.email).await;
    assert!(checkbox(&html, &chosen).contains("checked"));
    assert!(!checkbox(&html, &other).contains("checked"));
    assert!(radio(&html, "projects", "chosen").contains("checked"));
    assert!(!radio(&html, "projects", "all").contains("checked"));
    assert!(radio(&html, "access", "read").contains("checked"));
    assert!(!radio(&html, "access", "write").contains("checked"));
    let tokens = allow_and_exchange(
        &server,
        &browser,
        &html,
        &only(w.chosen, "read"),
        &client_id,
        &verifier,
    )
    .await;
    let second = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(listed(base, &second).await, vec![chosen.clone()]);
    // A new approval is a new grant: the first one's token is over.
    let (status, headers, _) = tool(base, &first, "list_projects", json!({})).await;
    assert_eq!(status, 401);
    assert!(www_authenticate(&headers).contains("error=\"invalid_token\""));

    // Without prompt: no page, the stored choice as it is.
    let (verifier, challenge) = pkce();
    let url = authorize_url(&server, &client_id, &challenge, &[]);
    let Reached::Back(back) = reach(&server, &browser, &url, &w.email).await else {
        panic!("a remembered consent showed the page again");
    };
    let tokens = exchange_back(&server, &back, &client_id, &verifier).await;
    assert!(!tokens["scope"].as_str().unwrap().contains("data:write"));
    let third = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(listed(base, &third).await, vec![chosen.clone()]);
    assert_eq!(
        tool_error(base, &third, "list_types", json!({"projectId": other})).await,
        "NOT_FOUND"
    );
    // Reusing the approval is not a new grant: the token before it still works.
    assert_eq!(listed(base, &second).await, vec![chosen]);
}
e2e!(one_project_read_only_sees_that_project_alone_and_is_remembered);

async fn one_project_read_write_writes_there_alone(server: TestServer) {
    let w = two_projects(&server).await;
    let (chosen, other) = (w.chosen.to_string(), w.other.to_string());
    let client_id = register(&server).await;
    let browser = browser();
    let (verifier, challenge) = pkce();
    let url = authorize_url(&server, &client_id, &challenge, &[]);
    let html = consent_page(&server, &browser, &url, &w.email).await;
    let tokens = allow_and_exchange(
        &server,
        &browser,
        &html,
        &only(w.chosen, "write"),
        &client_id,
        &verifier,
    )
    .await;
    let token = tokens["access_token"].as_str().unwrap();
    let base = server.base.as_str();
    let create = |project: &str| json!({"projectId": project, "collectionName": "tasks", "data": {"title": "t"}});
    let created = ok(base, token, "create_data", create(&chosen)).await;
    assert!(created["entry"]["id"].is_string(), "{created}");
    assert_eq!(
        tool_error(base, token, "create_data", create(&other)).await,
        "NOT_FOUND"
    );
    let everything = server.rw_token(w.user).await;
    let page = ok(
        base,
        &everything,
        "query_data",
        json!({"projectId": other, "collectionName": "tasks"}),
    )
    .await;
    assert_eq!(
        page["returned"], 0,
        "nothing was written in the other project"
    );
    ok(base, &everything, "create_data", create(&other)).await;
}
e2e!(one_project_read_write_writes_there_alone);

async fn all_projects_includes_one_joined_later(server: TestServer) {
    let w = two_projects(&server).await;
    let client_id = register(&server).await;
    let browser = browser();
    let (verifier, challenge) = pkce();
    let url = authorize_url(&server, &client_id, &challenge, &[]);
    let html = consent_page(&server, &browser, &url, &w.email).await;
    let choice = [
        ("projects", "all".to_owned()),
        ("access", "read".to_owned()),
    ];
    let tokens = allow_and_exchange(&server, &browser, &html, &choice, &client_id, &verifier).await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(listed(&server.base, token).await.len(), 2);
    let later = project(&server, "Later").await;
    server
        .opened
        .storage
        .directory
        .set_member(later, w.user, domain::model::Role::Viewer)
        .await
        .unwrap();
    let now = listed(&server.base, token).await;
    assert!(
        now.contains(&later.to_string()) && now.len() == 3,
        "{now:?}"
    );
}
e2e!(all_projects_includes_one_joined_later);

async fn a_consent_naming_a_project_not_the_persons_is_refused_and_stores_nothing(
    server: TestServer,
) {
    let w = two_projects(&server).await;
    let stranger = project(&server, "Not theirs").await;
    let client_id = register(&server).await;
    let browser = browser();
    let (_, challenge) = pkce();
    let url = authorize_url(&server, &client_id, &challenge, &[]);
    let html = consent_page(&server, &browser, &url, &w.email).await;
    assert!(!html.contains(&stranger.to_string()), "not offered");
    let refusals = [
        (
            vec![
                ("projects", "chosen".to_owned()),
                ("project", w.chosen.to_string()),
                ("project", stranger.to_string()),
                ("access", "read".to_owned()),
            ],
            "is not one of yours",
        ),
        (
            vec![
                ("projects", "chosen".to_owned()),
                ("project", "not-a-project".to_owned()),
                ("access", "read".to_owned()),
            ],
            "",
        ),
        (
            vec![
                ("projects", "chosen".to_owned()),
                ("access", "read".to_owned()),
            ],
            "choose at least one project",
        ),
    ];
    for (choice, words) in refusals {
        let answer = allow(&server, &browser, &html, &choice).await;
        assert_eq!(answer.status(), 400, "{choice:?}");
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = answer.text().await.unwrap();
        assert!(page.contains(words), "{choice:?}: {page}");
    }
    let stored = server
        .opened
        .storage
        .grants
        .consents_of(w.user)
        .await
        .unwrap();
    assert!(stored.is_empty(), "{stored:?}");
}
e2e!(a_consent_naming_a_project_not_the_persons_is_refused_and_stores_nothing);
