//! Who is calling, and the checks Gitea's middleware makes before a handler runs.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::app::App;
use crate::fail::Fail;
use crate::scope::{ScopeCategory, ScopeLevel, TokenScopes, scope_name};
use crate::store::model::{Repo, State as StoreState};

/// The authenticated caller of one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caller {
    /// Lower-cased user name; None for an anonymous request.
    pub(crate) user: Option<String>,
    /// The token's scopes; None for anonymous requests.
    pub(crate) scopes: Option<TokenScopes>,
    /// The scope categories of the route group, once [`check_scopes`] let the call through.
    pub(crate) route: &'static [ScopeCategory],
}

/// The scheme word of the `Authorization` header (never the credential).
pub(crate) fn scheme(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.split_whitespace().next().map(str::to_owned)
}

/// Resolves the caller: `token`/`bearer` in any case, or `basic` with a token as password.
/// A header that is not two fields, or has another scheme, counts as anonymous.
///
/// # Errors
/// 401 "invalid username, password or token" for an unknown token.
pub(crate) fn identify(st: &StoreState, headers: &HeaderMap) -> Result<Caller, Fail> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::default());
    };
    let text = value.to_str().unwrap_or("");
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [scheme, cred] = fields.as_slice() else {
        return Ok(Caller::default());
    };
    let invalid = || {
        Fail::msg(
            StatusCode::UNAUTHORIZED,
            "invalid username, password or token",
        )
    };
    let scheme = scheme.to_ascii_lowercase();
    let token = match scheme.as_str() {
        "token" | "bearer" => (*cred).to_owned(),
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(cred)
                .map_err(|_| invalid())?;
            let text = String::from_utf8(decoded).map_err(|_| invalid())?;
            let (user, pass) = text.split_once(':').ok_or_else(invalid)?;
            match st.tokens.get(pass) {
                Some(t) if t.user == user.to_lowercase() => pass.to_owned(),
                _ => return Err(invalid()),
            }
        }
        _ => return Ok(Caller::default()),
    };
    let rec = st.tokens.get(&token).ok_or_else(invalid)?;
    Ok(Caller {
        user: Some(rec.user.clone()),
        scopes: Some(rec.scopes),
        route: &[],
    })
}

/// Middleware: rejects unknown tokens and hands the [`Caller`] to the handlers.
pub(crate) async fn layer(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let caller = identify(&app.store.lock(), req.headers());
    match caller {
        Ok(c) => {
            req.extensions_mut().insert(c);
            next.run(req).await
        }
        Err(f) => f.into_response(),
    }
}

/// Gitea's `tokenRequiresScopes`: a token must hold, at the level the method needs, every
/// category of the route group (`categories`). Anonymous calls pass (other checks answer
/// them). It runs before the repository lookup, as the group middleware does in Gitea.
///
/// # Errors
/// 403 `token does not have at least one of required scope(s), required=[…], token scope=…`,
/// worded as in routers/api/v1/api.go.
pub(crate) fn check_scopes(
    caller: &mut Caller,
    method: &str,
    categories: &'static [ScopeCategory],
) -> Result<(), Fail> {
    caller.route = categories;
    let Some(scopes) = caller.scopes else {
        return Ok(());
    };
    let level = ScopeLevel::for_method(method);
    if categories.iter().all(|c| scopes.allows(level, *c)) {
        return Ok(());
    }
    let required: Vec<String> = categories.iter().map(|c| scope_name(level, *c)).collect();
    Err(Fail::msg(
        StatusCode::FORBIDDEN,
        format!(
            "token does not have at least one of required scope(s), required=[{}], token scope={scopes}",
            required.join(" ")
        ),
    ))
}

/// Whether the caller's token is limited to public repositories and organisations.
pub(crate) fn public_only(caller: &Caller) -> bool {
    caller.scopes.is_some_and(|s| s.is_public_only())
}

/// 401 "token is required" for an anonymous write.
///
/// # Errors
/// The 401 answer.
pub(crate) fn require_token(caller: &Caller) -> Result<String, Fail> {
    caller
        .user
        .clone()
        .ok_or_else(|| Fail::msg(StatusCode::UNAUTHORIZED, "token is required"))
}

/// Finds a repository the caller may see.
///
/// # Errors
/// 404 `GetUserByName` for an unknown owner; 404 "not found" for an unknown repository or
/// a private one the caller cannot read.
pub(crate) fn repo<'a>(
    st: &'a StoreState,
    caller: &Caller,
    owner: &str,
    name: &str,
) -> Result<&'a Repo, Fail> {
    if st.account(owner).is_none() {
        return Err(Fail::not_found_with(
            "GetUserByName",
            format!(
                "user redirect does not exist [name: {}]",
                owner.to_lowercase()
            ),
        ));
    }
    let r = st.repo(owner, name).ok_or_else(Fail::not_found)?;
    if r.private && !can_read_private(st, caller, &r.owner) {
        return Err(Fail::not_found());
    }
    if r.private && public_only(caller) {
        // checkTokenPublicOnly, after the repository is assigned.
        let what = if caller.route.contains(&ScopeCategory::Issue) {
            "issues"
        } else {
            "repos"
        };
        return Err(Fail::msg(
            StatusCode::FORBIDDEN,
            format!("token scope is limited to public {what}"),
        ));
    }
    Ok(r)
}

/// Whether the caller owns `owner` or is a member of the organisation `owner`.
pub(crate) fn can_read_private(st: &StoreState, caller: &Caller, owner: &str) -> bool {
    let Some(user) = caller.user.as_deref() else {
        return false;
    };
    let owner = owner.to_lowercase();
    user == owner || st.account(&owner).is_some_and(|a| a.members.contains(user))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn schemes_are_case_insensitive_and_unknown_tokens_fail() {
        let store = crate::store::Store::new();
        store.add_token("t1", "bot", crate::Scope::Write);
        let st = store.lock();
        for v in ["token t1", "Bearer t1", "BEARER t1", "ToKeN t1"] {
            assert_eq!(
                identify(&st, &headers(v)).unwrap().user.as_deref(),
                Some("bot")
            );
        }
        assert!(identify(&st, &headers("token nope")).is_err());
        assert!(identify(&st, &headers("token")).unwrap().user.is_none());
        assert!(identify(&st, &headers("Digest x")).unwrap().user.is_none());
        let basic = base64::engine::general_purpose::STANDARD.encode("bot:t1");
        assert!(identify(&st, &headers(&format!("Basic {basic}"))).is_ok());
    }
}
