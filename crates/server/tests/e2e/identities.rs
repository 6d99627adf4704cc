//! A user's WeChat identities over HTTP on every backend: the same person through a second mini
//! program, each ticket exchange answering the openid of its mini program, the admin API's
//! identity list, unlink and merge, and their audit events.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_wechat_sim::SimUser;

use crate::support::{Flow, OTHER_APP_ID, OTHER_APP_SECRET};

/// Logs `openid` in through `app_id`'s mini program (the pool must be connected to it).
async fn ticket_via(f: &Flow, app_id: &str, openid: &str, unionid: Option<&str>) -> String {
    let code = f.sim.login_code(app_id, &SimUser::new(openid, unionid));
    let body = f.login(json!({ "code": code.code })).await.assert_status(StatusCode::OK);
    body["ticket"].as_str().expect("ticket").to_owned()
}

async fn exchange(f: &Flow, ticket: &str) -> Value {
    let body = json!({"ticket": ticket, "secret": f.secret});
    f.exchange(body).await.assert_status(StatusCode::OK)
}

/// The pool's audit actions, once `expected` is among them (the audit log is written behind).
async fn audited(f: &Flow, expected: &[&str]) -> Vec<String> {
    let path = format!("/api/v1/userpools/{}/audit-events?limit=100", f.pool_id);
    let mut actions = Vec::new();
    for _ in 0..50 {
        let events = f.s.http.get(&path).token(&f.admin).await.assert_status(StatusCode::OK);
        actions = events["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|e| e["action"].as_str().map(str::to_owned))
            .collect();
        if expected.iter().all(|e| actions.iter().any(|a| a == e)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    actions
}

#[tokio::test]
async fn two_mini_programs_one_person_then_unlink_and_merge() {
    Flow::on_every_backend(async |f| {
        let first = f.ticket("o-a", Some("u-1")).await;
        f.connect(OTHER_APP_ID, OTHER_APP_SECRET).await;
        let second = ticket_via(f, OTHER_APP_ID, "o-b", Some("u-1")).await;

        let b = exchange(f, &second).await;
        let a = exchange(f, &first).await;
        assert_eq!(a["_id"], b["_id"], "one person, one user");
        assert_eq!((a["openid"].as_str(), b["openid"].as_str()), (Some("o-a"), Some("o-b")));
        assert_eq!(a["unionid"], "u-1");
        let user_id = a["_id"].as_str().expect("id").to_owned();

        let users = format!("/api/v1/userpools/{}/users", f.pool_id);
        let identities_path = format!("{users}/{user_id}/identities");
        let list = f.s.http.get(&identities_path).token(&f.admin).await;
        let list = list.assert_status(StatusCode::OK);
        let items = list["items"].as_array().expect("items");
        let seen: Vec<_> = items
            .iter()
            .map(|i| (i["kind"].as_str(), i["openid"].as_str(), i["unionid"].as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (Some("miniprogram"), Some("o-a"), Some("u-1")),
                (Some("miniprogram"), Some("o-b"), Some("u-1"))
            ]
        );
        assert_eq!(items[1]["appId"], OTHER_APP_ID);
        for openid in ["o-a", "o-b"] {
            let found = f.s.http.get(&format!("{users}?openid={openid}")).token(&f.admin).await;
            let found = found.assert_status(StatusCode::OK);
            assert_eq!(
                (found["total"].clone(), found["items"][0]["id"].clone()),
                (json!(1), json!(user_id))
            );
        }

        // Someone else through the second mini program, then merged into the first user.
        let other = exchange(f, &ticket_via(f, OTHER_APP_ID, "o-c", None).await).await;
        let other_id = other["_id"].as_str().expect("id").to_owned();
        assert_ne!(other_id, user_id);
        let merge_path = format!("{users}/{user_id}/merge");
        let itself =
            f.s.http.post(&merge_path).token(&f.admin).json(json!({"from": user_id})).await;
        itself.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        let extra = json!({"from": other_id, "into": "x"});
        f.s.http
            .post(&merge_path)
            .token(&f.admin)
            .json(extra)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        let nobody =
            f.s.http.post(&merge_path).token(&f.admin).json(json!({"from": "nobody"})).await;
        nobody.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        assert!(nobody.body["message"].as_str().is_some_and(|m| m.starts_with("from: ")));
        let no_target = format!("{users}/{}/merge", "f".repeat(24));
        let no_target =
            f.s.http.post(&no_target).token(&f.admin).json(json!({"from": other_id})).await;
        no_target.assert_error(StatusCode::NOT_FOUND, "not_found");
        let merged =
            f.s.http.post(&merge_path).token(&f.admin).json(json!({"from": other_id})).await;
        let merged = merged.assert_status(StatusCode::OK);
        assert_eq!(
            (merged["user"]["id"].clone(), merged["identitiesMoved"].clone()),
            (json!(user_id), json!(1))
        );
        let gone = f.s.http.get(&format!("{users}/{other_id}")).token(&f.admin).await;
        gone.assert_error(StatusCode::NOT_FOUND, "not_found");
        let back = exchange(f, &ticket_via(f, OTHER_APP_ID, "o-c", None).await).await;
        assert_eq!(
            (back["_id"].as_str(), back["openid"].as_str()),
            (Some(user_id.as_str()), Some("o-c"))
        );

        // Unlinking the merged identity: that person is unknown to the second mini program again.
        let list =
            f.s.http.get(&identities_path).token(&f.admin).await.assert_status(StatusCode::OK);
        let moved = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["openid"] == "o-c")
            .and_then(|i| i["id"].as_str())
            .expect("the moved identity")
            .to_owned();
        let unlink = format!("{identities_path}/{moved}");
        let done = f.s.http.delete(&unlink).token(&f.admin).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
        f.s.http
            .delete(&unlink)
            .token(&f.admin)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
        let list =
            f.s.http.get(&identities_path).token(&f.admin).await.assert_status(StatusCode::OK);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
        let anew = exchange(f, &ticket_via(f, OTHER_APP_ID, "o-c", None).await).await;
        assert_ne!(anew["_id"].as_str(), Some(user_id.as_str()));

        let actions = audited(f, &["user.merge", "user.identity.unlink", "user.delete"]).await;
        for action in ["user.merge", "user.identity.unlink", "user.delete"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
    })
    .await;
}
