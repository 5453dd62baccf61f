//! Grants that give less: a call under a grant (a person's approval of a client, or a
//! personal access token) reaches only the projects the grant names, and nothing once the
//! grant is revoked, replaced or expired, on every path: a project's calls (reads and
//! writes), the person's own listing and the up-front standing check. The grant is checked
//! by storage in the call's own round trip.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use domain::grants::{Consent, PersonalToken};
use domain::model::{Action, GrantId, GrantProjects, MCP_FLAG, ProjectId, UserId};
use domain::ports::{Caller, Gated, Scoped, Standing, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Found, Store};
use crate::support::{TASKS, Who, World, coll, record};
use app::storage::GrantStorage as Grants;

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn consent(user: UserId, client: &str, grant: GrantId, projects: GrantProjects) -> Consent {
    Consent {
        user,
        client_id: client.into(),
        grant,
        projects,
        scopes: vec!["data:read".into(), "data:write".into()],
        granted_at: now(),
        last_used_at: None,
    }
}

fn new_grant() -> GrantId {
    GrantId::from_uuid(Uuid::now_v7())
}

fn under(user: UserId, project: ProjectId, grant: GrantId) -> Caller {
    Caller {
        user,
        project,
        grant: Some(grant),
    }
}

async fn projects_of<S: Store>(store: &S, user: UserId, grant: GrantId) -> Vec<ProjectId> {
    store
        .memberships(user, Some(grant))
        .await
        .unwrap()
        .found()
        .into_iter()
        .map(|m| m.project.id)
        .collect()
}

async fn a_consent_reaches_only_its_projects_and_nothing_once_revoked<S: Store + Grants>(
    store: Arc<S>,
) {
    let w = World::new(store.clone()).await;
    let carol = w.user(Who::Carol); // a member of A and B
    let only_a = new_grant();
    store
        .put_consent(&consent(
            carol,
            "client-1",
            only_a,
            GrantProjects::Only([w.a].into()),
        ))
        .await
        .unwrap();

    assert!(matches!(
        store.list_types(under(carol, w.a, only_a)).await.unwrap(),
        Scoped::Found(..)
    ));
    assert_eq!(
        store.list_types(under(carol, w.b, only_a)).await.unwrap(),
        Scoped::NotMember,
        "a project the grant does not reach is as unknown as one she is not a member of"
    );
    assert_eq!(projects_of(&*store, carol, only_a).await, vec![w.a]);
    assert_eq!(
        store.standing(carol, MCP_FLAG, Some(only_a)).await.unwrap(),
        Standing::Open
    );

    // A write outside the grant writes nothing.
    let entry = w.entry(w.b, TASKS, Who::Carol, json!({"title": "x"}), None);
    let caller = under(carol, w.b, only_a);
    let refused = store
        .insert(caller, &entry, &record(caller, &entry, Action::Create))
        .await
        .unwrap();
    assert_eq!(refused, Scoped::NotMember);
    let loaded = store
        .load(
            Caller::from(w.member(Who::Carol, w.b)),
            &coll(TASKS),
            entry.id,
        )
        .await
        .unwrap()
        .found();
    assert_eq!(loaded.entry, None, "nothing was written");
    assert_eq!(
        store
            .load(under(carol, w.b, only_a), &coll(TASKS), entry.id)
            .await
            .unwrap(),
        Scoped::NotMember,
        "reads outside the grant find nothing either"
    );

    // Someone else's grant id, or an unknown one, stands for nothing.
    let dave = w.user(Who::Dave);
    assert_eq!(
        store.list_types(under(dave, w.a, only_a)).await.unwrap(),
        Scoped::Revoked
    );
    assert_eq!(
        store
            .list_types(under(carol, w.a, new_grant()))
            .await
            .unwrap(),
        Scoped::Revoked
    );

    // Replaced by a new approval: the old grant is gone, the new one reaches what it says.
    let all = new_grant();
    store
        .put_consent(&consent(carol, "client-1", all, GrantProjects::All))
        .await
        .unwrap();
    assert_eq!(
        store.list_types(under(carol, w.a, only_a)).await.unwrap(),
        Scoped::Revoked
    );
    assert_eq!(projects_of(&*store, carol, all).await, vec![w.a, w.b]);

    // Revoked: every path says so, whatever the flag.
    assert!(store.revoke_consent(carol, "client-1").await.unwrap());
    assert_eq!(
        store.list_types(under(carol, w.a, all)).await.unwrap(),
        Scoped::Revoked
    );
    assert_eq!(
        store
            .load(under(carol, w.a, all), &coll(TASKS), entry.id)
            .await
            .unwrap(),
        Scoped::Revoked
    );
    assert_eq!(
        store.memberships(carol, Some(all)).await.unwrap(),
        Gated::Revoked
    );
    assert_eq!(
        store.standing(carol, MCP_FLAG, Some(all)).await.unwrap(),
        Standing::Revoked
    );
    store.set_flag(carol, MCP_FLAG, false).await.unwrap();
    assert_eq!(
        store.standing(carol, MCP_FLAG, Some(all)).await.unwrap(),
        Standing::Revoked
    );
    assert_eq!(
        store.standing(carol, MCP_FLAG, None).await.unwrap(),
        Standing::FlagOff
    );
}

fn token(
    user: UserId,
    hash: &str,
    projects: GrantProjects,
    expires_at: DateTime<Utc>,
) -> PersonalToken {
    PersonalToken {
        id: new_grant(),
        user,
        name: "nightly export".into(),
        token_hash: hash.into(),
        projects,
        read_only: true,
        created_at: now(),
        expires_at,
        last_used_at: None,
    }
}

async fn a_personal_token_is_a_grant_until_it_expires_or_is_revoked<S: Store + Grants>(
    store: Arc<S>,
) {
    let w = World::new(store.clone()).await;
    let carol = w.user(Who::Carol);
    let live = token(
        carol,
        "hash-live",
        GrantProjects::Only([w.b].into()),
        now() + TimeDelta::hours(1),
    );
    let expired = token(
        carol,
        "hash-old",
        GrantProjects::All,
        now() - TimeDelta::seconds(1),
    );
    store.put_token(&live).await.unwrap();
    store.put_token(&expired).await.unwrap();

    assert!(matches!(
        store.list_types(under(carol, w.b, live.id)).await.unwrap(),
        Scoped::Found(..)
    ));
    assert_eq!(
        store.list_types(under(carol, w.a, live.id)).await.unwrap(),
        Scoped::NotMember
    );
    assert_eq!(projects_of(&*store, carol, live.id).await, vec![w.b]);
    assert_eq!(
        store
            .list_types(under(carol, w.a, expired.id))
            .await
            .unwrap(),
        Scoped::Revoked,
        "an expired token's grant stands for nothing"
    );

    // The port: by hash (not expired), listed (not expired), last use moves forward only.
    assert_eq!(
        store.token_by_hash("hash-live", now()).await.unwrap(),
        Some(live.clone())
    );
    assert_eq!(store.token_by_hash("hash-old", now()).await.unwrap(), None);
    let later = now() + TimeDelta::minutes(5);
    store.touch_token(live.id, later).await.unwrap();
    store.touch_token(live.id, now()).await.unwrap();
    let listed = store.tokens_of(carol, now()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(later));
    assert!(matches!(
        store
            .put_token(&token(carol, "hash-live", GrantProjects::All, later))
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    let nobody = UserId::from_uuid(Uuid::now_v7());
    assert!(matches!(
        store
            .put_token(&token(nobody, "hash-x", GrantProjects::All, later))
            .await,
        Err(StoreError::Missing(_))
    ));

    // Only its owner revokes it; then it stands for nothing.
    assert!(
        !store
            .revoke_token(w.user(Who::Dave), live.id)
            .await
            .unwrap()
    );
    assert!(store.revoke_token(carol, live.id).await.unwrap());
    assert_eq!(
        store.list_types(under(carol, w.b, live.id)).await.unwrap(),
        Scoped::Revoked
    );
    assert!(store.tokens_of(carol, now()).await.unwrap().is_empty());
}

contract!(
    a_consent_reaches_only_its_projects_and_nothing_once_revoked,
    a_personal_token_is_a_grant_until_it_expires_or_is_revoked,
);
