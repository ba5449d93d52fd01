//! What the traffic generator sends: a realistic mix of browse, view, cart and checkout
//! requests from many users, countries and products (skewed, so slices stand out).

use serde_json::{Value, json};

use crate::lab::shop::inventory::CATALOG;
use crate::lab::shop::rng::Rng;

/// Users the generator plays.
pub const USERS: u64 = 500;

/// Countries and their share of users.
pub const COUNTRIES: [(&str, f64); 8] = [
    ("US", 35.0),
    ("DE", 15.0),
    ("GB", 12.0),
    ("FR", 10.0),
    ("IN", 10.0),
    ("BR", 8.0),
    ("JP", 6.0),
    ("AU", 4.0),
];

/// A kind of request and its share of the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Browse,
    View,
    Cart,
    Checkout,
}

impl Action {
    pub const MIX: [(Action, f64); 4] = [
        (Action::Browse, 60.0),
        (Action::View, 20.0),
        (Action::Cart, 10.0),
        (Action::Checkout, 10.0),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Browse => "browse",
            Self::View => "view",
            Self::Cart => "cart",
            Self::Checkout => "checkout",
        }
    }
}

/// One request to send to the storefront.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub action: Action,
    pub user_id: String,
    pub country: &'static str,
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
}

/// Draw the next visit.
pub fn next(rng: &Rng) -> Visit {
    let weights: Vec<f64> = Action::MIX.iter().map(|(_, w)| *w).collect();
    let action = Action::MIX[rng.weighted(&weights)].0;
    let user = rng.range(1, USERS);
    let user_id = format!("u-{user:04}");
    // A user always shops from the same country.
    let country_weights: Vec<f64> = COUNTRIES.iter().map(|(_, w)| *w).collect();
    let country = COUNTRIES[Rng::seeded(user).weighted(&country_weights)].0;
    let product = product(rng);
    let quantity = if rng.unit() < 0.8 { 1 } else { 2 };
    let (method, path, body) = match action {
        Action::Browse => ("GET", "/products".to_string(), None),
        Action::View => ("GET", format!("/products/{product}"), None),
        Action::Cart => (
            "POST",
            "/cart/items".to_string(),
            Some(json!({"user_id": user_id, "product_id": product, "quantity": quantity})),
        ),
        Action::Checkout => (
            "POST",
            "/checkout".to_string(),
            Some(
                json!({"user_id": user_id, "items": [{"product_id": product, "quantity": quantity}]}),
            ),
        ),
    };
    Visit {
        action,
        user_id,
        country,
        method,
        path,
        body,
    }
}

/// A product id, popular ones more often (weight 1 / rank^0.8).
fn product(rng: &Rng) -> usize {
    let weights: Vec<f64> = (1..=CATALOG.len())
        .map(|rank| 1.0 / (rank as f64).powf(0.8))
        .collect();
    rng.weighted(&weights) + 1
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn the_mix_matches_its_shares_and_users_keep_their_country() {
        let rng = Rng::seeded(42);
        let mut actions: BTreeMap<Action, usize> = BTreeMap::new();
        let mut country_of: BTreeMap<String, &str> = BTreeMap::new();
        let mut products: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..20_000 {
            let v = next(&rng);
            *actions.entry(v.action).or_default() += 1;
            let before = country_of.insert(v.user_id.clone(), v.country);
            assert!(before.is_none_or(|c| c == v.country));
            if v.action == Action::View {
                *products.entry(v.path.clone()).or_default() += 1;
            }
            match v.action {
                Action::Browse | Action::View => assert_eq!(v.method, "GET"),
                Action::Cart | Action::Checkout => assert!(v.body.is_some()),
            }
        }
        let share = |a| actions[&a] as f64 / 20_000.0;
        assert!((share(Action::Browse) - 0.6).abs() < 0.02);
        assert!((share(Action::View) - 0.2).abs() < 0.02);
        assert!((share(Action::Checkout) - 0.1).abs() < 0.02);
        assert!(products["/products/1"] > 3 * products["/products/20"]);
        let countries: std::collections::BTreeSet<_> = country_of.values().collect();
        assert!(countries.len() >= 6, "{countries:?}");
    }
}
