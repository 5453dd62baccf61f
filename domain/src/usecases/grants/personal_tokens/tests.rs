use std::sync::{Arc, Mutex};

use chrono::TimeDelta;

use super::*;
use crate::model::{Membership, Project, ProjectId, Role};
use crate::usecases::grants::fixtures::{Mocks, h, id_at, me, now, secret};

fn project(n: u128) -> ProjectId {
    ProjectId::from_uuid(uuid::Uuid::from_u128(n))
}

/// `me` is a member of projects 1 and 2.
fn member_of_two(mocks: &mut Mocks) {
    mocks.directory.expect_memberships_of().returning(|_| {
        Ok([1, 2]
            .map(|n| Membership {
                project: Project {
                    id: project(n),
                    name: format!("P{n}"),
                    description: String::new(),
                },
                role: Role::Editor,
            })
            .to_vec())
    });
}

fn asking(name: &str, projects: GrantProjects, expires_in: TimeDelta) -> NewPersonalToken {
    NewPersonalToken {
        name: name.into(),
        projects,
        read_only: true,
        expires_in,
    }
}

#[tokio::test]
async fn a_token_is_prefixed_stored_as_its_hash_under_a_grant_of_its_own() {
    let mut mocks = Mocks::default();
    member_of_two(&mut mocks);
    let stored = Arc::new(Mutex::new(None));
    let keep = Arc::clone(&stored);
    mocks
        .personal_tokens
        .expect_put_token()
        .times(1)
        .returning(move |t| {
            *keep.lock().unwrap() = Some(t.clone());
            Ok(())
        });
    let only = GrantProjects::Only([project(2)].into());
    let created = create_personal_token(
        &mocks.ports(),
        me(),
        &asking("  nightly export ", only.clone(), TimeDelta::days(90)),
    )
    .await
    .unwrap();
    assert_eq!(created.raw, format!("pmcp_pat_{}", secret(1)));
    let expected = PersonalToken {
        id: GrantId::from_uuid(id_at(now())),
        user: me(),
        name: "nightly export".into(),
        token_hash: h(&created.raw),
        projects: only,
        read_only: true,
        created_at: now(),
        expires_at: now() + TimeDelta::days(90),
        last_used_at: None,
    };
    assert_eq!(created.token, expected);
    assert_eq!(stored.lock().unwrap().as_ref(), Some(&expected));
    // The secret appears once in the debug form: inside the (fake, readable) hash.
    let logged = format!("{created:?}");
    assert_eq!(logged.matches(&secret(1)).count(), 1, "{logged}");
    assert!(logged.contains("REDACTED"), "{logged}");
}

#[tokio::test]
async fn a_bad_name_or_lifetime_is_refused_before_anything_is_stored() {
    let ports = Mocks::default().ports();
    let long = "x".repeat(101);
    for (name, days, says) in [
        ("   ", 30, "give the token a name"),
        (long.as_str(), 30, "at most 100"),
        ("ok", 0, "at least 1 day"),
        ("ok", 366, "at most 365 days"),
    ] {
        let refused = create_personal_token(
            &ports,
            me(),
            &asking(name, GrantProjects::All, TimeDelta::days(days)),
        )
        .await;
        match refused {
            Err(GrantError::InvalidRequest(message)) => {
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{name:?}/{days}: {other:?}"),
        }
    }
    let edge = "é".repeat(100);
    assert_eq!(
        check_name(&edge).unwrap(),
        edge,
        "100 characters, not bytes"
    );
    assert!(check_lifetime(TimeDelta::days(1)).is_ok());
    assert!(check_lifetime(TimeDelta::days(365)).is_ok());
}

#[tokio::test]
async fn a_project_that_is_not_the_persons_or_none_is_refused() {
    let mut mocks = Mocks::default();
    member_of_two(&mut mocks);
    let ports = mocks.ports();
    for (projects, says) in [
        (GrantProjects::Only([project(3)].into()), "not one of yours"),
        (GrantProjects::Only([].into()), "at least one project"),
    ] {
        match create_personal_token(&ports, me(), &asking("t", projects, TimeDelta::days(7))).await
        {
            Err(GrantError::InvalidRequest(message)) => {
                assert!(message.contains(says), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unknown_person_is_a_clear_refusal() {
    let mut mocks = Mocks::default();
    mocks
        .personal_tokens
        .expect_put_token()
        .returning(|_| Err(StoreError::Missing("user".into())));
    let refused = create_personal_token(
        &mocks.ports(),
        me(),
        &asking("t", GrantProjects::All, TimeDelta::days(7)),
    )
    .await;
    assert!(
        matches!(&refused, Err(GrantError::InvalidRequest(m)) if m.contains("no person")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn only_a_prefixed_value_is_looked_up_by_its_hash() {
    let mut mocks = Mocks::default();
    let raw = format!("pmcp_pat_{}", secret(9));
    let found = PersonalToken {
        id: GrantId::from_uuid(id_at(now())),
        user: me(),
        name: "t".into(),
        token_hash: h(&raw),
        projects: GrantProjects::All,
        read_only: false,
        created_at: now(),
        expires_at: now() + TimeDelta::days(1),
        last_used_at: None,
    };
    let hash = h(&raw);
    let answer = found.clone();
    mocks
        .personal_tokens
        .expect_token_by_hash()
        .withf(move |asked, at| *asked == hash && *at == now())
        .times(1)
        .returning(move |_, _| Ok(Some(answer.clone())));
    let unknown = h("pmcp_pat_unknown");
    mocks
        .personal_tokens
        .expect_token_by_hash()
        .withf(move |asked, _| *asked == unknown)
        .times(1)
        .returning(|_, _| Ok(None));
    let ports = mocks.ports();
    assert_eq!(
        authenticate_personal_token(&ports, &raw).await.unwrap(),
        Some(found)
    );
    assert_eq!(
        authenticate_personal_token(&ports, "pmcp_pat_unknown")
            .await
            .unwrap(),
        None
    );
    // Neither a JWT nor the bare prefix reaches storage (no expectation matches them).
    for other in ["eyJhbGciOiJFUzI1NiJ9.x.y", "pmcp_pat_", &secret(9)] {
        assert_eq!(
            authenticate_personal_token(&ports, other).await.unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn listing_and_revoking_go_to_the_persons_own_tokens() {
    let mut mocks = Mocks::default();
    let id = GrantId::from_uuid(uuid::Uuid::from_u128(5));
    mocks
        .personal_tokens
        .expect_tokens_of()
        .withf(|u, at| *u == me() && *at == now())
        .returning(|_, _| Ok(vec![]));
    mocks
        .personal_tokens
        .expect_revoke_token()
        .withf(move |u, i| *u == me() && *i == id)
        .times(1)
        .returning(|_, _| Ok(true));
    let ports = mocks.ports();
    assert!(personal_tokens_of(&ports, me()).await.unwrap().is_empty());
    assert!(revoke_personal_token(&ports, me(), id).await.unwrap());
}
