//! A plan: which components of the spec one `up` starts, and on which ports.

use std::collections::{BTreeMap, BTreeSet};

use super::RuntimeKind;
use super::error::StackError;
use super::ports;
use super::spec::{Component, Port, Profile, StackSpec};
use super::state::PortMap;
use super::template::RenderContext;
use crate::lab::shop::Service;

/// Key of the lab-level ports in a [`PortMap`].
pub const LAB: &str = "lab";

/// The name of a shop process's one port in a [`PortMap`] (`shop-orders` -> `http`).
pub const SHOP_PORT: &str = "http";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    pub profile: Profile,
    pub runtime: RuntimeKind,
    /// `--port-base N`: every port is N + its offset (see docs/STACK.md).
    pub port_base: Option<u16>,
    /// Single ports: `prometheus` (primary port), `loki.grpc`, `webhook` (a lab port).
    pub port_overrides: BTreeMap<String, u16>,
    /// Where Alertmanager sends notifications; default http://127.0.0.1:{port.webhook}/alerts.
    pub webhook_url: Option<String>,
    /// Plan the shop's processes (ports from 8080 up, or base + 80). On in every runtime:
    /// processes natively and beside an attached stack, containers in Docker.
    pub shop: bool,
}

impl PlanOptions {
    pub fn new(profile: Profile, runtime: RuntimeKind) -> Self {
        Self {
            profile,
            runtime,
            port_base: None,
            port_overrides: BTreeMap::new(),
            webhook_url: None,
            shop: true,
        }
    }
}

/// The components to run and every port, resolved. Runtimes take a plan and start it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub spec: StackSpec,
    pub profile: Profile,
    pub runtime: RuntimeKind,
    pub port_base: Option<u16>,
    /// Components of the profile this runtime can run, in dependency order.
    pub components: Vec<String>,
    /// Components of the profile this runtime cannot run (cAdvisor natively).
    pub unavailable: Vec<String>,
    /// Ports of every spec component (and `lab`), so configs can name any of them.
    /// The shop's processes are here too, under their component names (`shop-orders`).
    pub ports: PortMap,
    pub webhook_url: String,
    /// The shop's processes (`shop-storefront`, ...), started after the stack.
    pub shop: Vec<String>,
}

impl Plan {
    pub fn new(spec: &StackSpec, options: &PlanOptions) -> Result<Self, StackError> {
        let mut ports = PortMap::new();
        let assign = |port: &Port| -> Result<u16, StackError> {
            match options.port_base {
                Some(base) => base
                    .checked_add(port.offset)
                    .ok_or(StackError::PortBaseTooHigh {
                        base,
                        port_name: port.name.clone(),
                        offset: port.offset,
                        max_base: u16::MAX - max_offset(spec),
                    }),
                None => Ok(port.default),
            }
        };
        for p in &spec.lab_ports {
            ports
                .entry(LAB.to_string())
                .or_default()
                .insert(p.name.clone(), assign(p)?);
        }
        for c in spec.all() {
            let entry = ports.entry(c.name.clone()).or_default();
            for p in &c.ports {
                entry.insert(p.name.clone(), assign(p)?);
            }
        }
        let mut shop = Vec::new();
        if options.shop {
            for service in Service::ALL {
                let port = match options.port_base {
                    Some(base) => base.checked_add(service.port_offset()).ok_or(
                        StackError::PortBaseTooHigh {
                            base,
                            port_name: service.component(),
                            offset: service.port_offset(),
                            max_base: u16::MAX - service.port_offset(),
                        },
                    )?,
                    None => service.default_port(),
                };
                ports
                    .entry(service.component())
                    .or_default()
                    .insert(SHOP_PORT.to_string(), port);
                shop.push(service.component());
            }
        }
        for (key, value) in &options.port_overrides {
            let slot = resolve_override(spec, &mut ports, key)?;
            *slot = *value;
        }
        let in_profile = spec.components(options.profile);
        let components: Vec<String> = in_profile
            .iter()
            .filter(|c| c.runs_on(options.runtime))
            .map(|c| c.name.clone())
            .collect();
        let unavailable = in_profile
            .iter()
            .filter(|c| !c.runs_on(options.runtime))
            .map(|c| c.name.clone())
            .collect();
        let webhook_url = options
            .webhook_url
            .clone()
            .unwrap_or_else(|| default_webhook_url(&ports));
        let plan = Self {
            spec: spec.clone(),
            profile: options.profile,
            runtime: options.runtime,
            port_base: options.port_base,
            components,
            unavailable,
            ports,
            webhook_url,
            shop,
        };
        plan.check_clashes(&plan.owners())?;
        Ok(plan)
    }

    /// Give every port of the planned components (and the lab ports) a port the OS says is
    /// free right now: for tests and for "anywhere it fits" labs.
    pub fn with_free_ports(mut self) -> Result<Self, StackError> {
        let default_webhook = default_webhook_url(&self.ports);
        let mut owners: Vec<String> = self.owners();
        owners.push(LAB.to_string());
        let count = owners
            .iter()
            .filter_map(|o| self.ports.get(o))
            .map(BTreeMap::len)
            .sum();
        let mut fresh = ports::free_ports(count)
            .map_err(|e| StackError::io("could not find free ports on", "127.0.0.1", e))?
            .into_iter();
        for owner in owners {
            for value in self
                .ports
                .get_mut(&owner)
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                if let Some(port) = fresh.next() {
                    *value = port;
                }
            }
        }
        if self.webhook_url == default_webhook {
            self.webhook_url = default_webhook_url(&self.ports);
        }
        self.check_clashes(&self.owners())?;
        Ok(self)
    }

    /// The planned components, then the shop's processes: everything that gets a port.
    fn owners(&self) -> Vec<String> {
        self.started().cloned().collect()
    }

    /// Everything `up` starts, in start order: the stack's components, then the shop.
    pub fn started(&self) -> impl Iterator<Item = &String> {
        self.components.iter().chain(self.shop.iter())
    }

    /// The port of each planned shop process.
    pub fn shop_ports(&self) -> BTreeMap<Service, u16> {
        Service::ALL
            .into_iter()
            .filter(|s| self.shop.contains(&s.component()))
            .filter_map(|s| Some((s, self.port(&s.component(), SHOP_PORT)?)))
            .collect()
    }

    /// The spec entries of the planned components, in dependency order.
    pub fn planned(&self) -> Vec<&Component> {
        self.components
            .iter()
            .filter_map(|n| self.spec.component(n))
            .collect()
    }

    pub fn port(&self, component: &str, name: &str) -> Option<u16> {
        self.ports.get(component)?.get(name).copied()
    }

    pub fn primary_port(&self, component: &str) -> Option<u16> {
        let c = self.spec.component(component)?;
        self.port(component, &c.primary_port().name)
    }

    /// Two planned ports with the same number is an error (an override or a base collided).
    pub(crate) fn check_clashes(&self, running: &[String]) -> Result<(), StackError> {
        let mut seen: BTreeMap<u16, String> = BTreeMap::new();
        let owners = running
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(LAB));
        for owner in owners {
            for (name, port) in self.ports.get(owner).into_iter().flatten() {
                let label = format!("{owner}.{name}");
                if let Some(first) = seen.insert(*port, label.clone()) {
                    return Err(StackError::PortClash {
                        port: *port,
                        first,
                        second: label,
                    });
                }
            }
        }
        Ok(())
    }

    /// Placeholder values for `component`'s args and configs. `listen` and `host` differ by
    /// runtime (127.0.0.1 natively; 0.0.0.0 and container names in Docker).
    pub fn render_context(
        &self,
        component: &Component,
        addressing: &Addressing,
        present: &BTreeSet<String>,
    ) -> RenderContext {
        let mut vars = BTreeMap::new();
        vars.insert("config_dir".into(), addressing.config_dir.clone());
        vars.insert("data_dir".into(), addressing.data_dir.clone());
        vars.insert("listen".into(), addressing.listen.clone());
        vars.insert("webhook_url".into(), self.webhook_url.clone());
        if let Some(home) = &addressing.bin_home {
            vars.insert("bin_home".into(), home.clone());
        }
        // The webhook is on the host: it keeps its host port in every runtime.
        for (name, port) in self.ports.get(LAB).into_iter().flatten() {
            vars.insert(format!("port.{name}"), port.to_string());
        }
        let port_of = |c: &Component, p: &Port| -> u16 {
            if addressing.container_ports {
                p.container_port()
            } else {
                self.port(&c.name, &p.name).unwrap_or(p.default)
            }
        };
        for c in self.spec.all() {
            let host = (addressing.host_of)(&c.name);
            vars.insert(format!("host.{}", c.name), host.clone());
            for p in &c.ports {
                let port = port_of(c, p);
                vars.insert(format!("port.{}.{}", c.name, p.name), port.to_string());
                vars.insert(
                    format!("addr.{}.{}", c.name, p.name),
                    format!("{host}:{port}"),
                );
            }
            let primary = port_of(c, c.primary_port());
            vars.insert(format!("port.{}", c.name), primary.to_string());
            vars.insert(format!("addr.{}", c.name), format!("{host}:{primary}"));
        }
        for p in &component.ports {
            vars.insert(
                format!("port.{}", p.name),
                port_of(component, p).to_string(),
            );
        }
        let primary = port_of(component, component.primary_port());
        vars.insert("port".into(), primary.to_string());
        RenderContext {
            vars,
            present: present.clone(),
            known: self
                .spec
                .component_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// How a runtime addresses things, for [`Plan::render_context`].
pub struct Addressing<'a> {
    /// Address components listen on (`127.0.0.1`, or `0.0.0.0` in a container).
    pub listen: String,
    /// Host a component is reached at from another component.
    pub host_of: &'a dyn Fn(&str) -> String,
    /// Render container-side ports (Docker) instead of the plan's host ports.
    pub container_ports: bool,
    pub config_dir: String,
    pub data_dir: String,
    pub bin_home: Option<String>,
}

/// Where Alertmanager notifies unless told otherwise: the lab's webhook port on loopback.
fn default_webhook_url(ports: &PortMap) -> String {
    let port = ports
        .get(LAB)
        .and_then(|l| l.get("webhook"))
        .copied()
        .unwrap_or(9099);
    format!("http://127.0.0.1:{port}/alerts")
}

fn max_offset(spec: &StackSpec) -> u16 {
    spec.lab_ports
        .iter()
        .chain(spec.all().iter().flat_map(|c| c.ports.iter()))
        .map(|p| p.offset)
        .max()
        .unwrap_or(0)
}

fn resolve_override<'a>(
    spec: &StackSpec,
    ports: &'a mut PortMap,
    key: &str,
) -> Result<&'a mut u16, StackError> {
    let (owner, name) = match key.split_once('.') {
        Some((c, p)) => (c.to_string(), p.to_string()),
        None => match spec.component(key) {
            Some(c) => (c.name.clone(), c.primary_port().name.clone()),
            None => (LAB.to_string(), key.to_string()),
        },
    };
    let known = || {
        ports
            .iter()
            .flat_map(|(o, m)| {
                m.keys().map(move |n| {
                    if o == LAB {
                        n.clone()
                    } else {
                        format!("{o}.{n}")
                    }
                })
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let exists = ports.get(&owner).is_some_and(|m| m.contains_key(&name));
    if !exists {
        return Err(StackError::UnknownPort {
            name: key.to_string(),
            known: known(),
        });
    }
    ports
        .get_mut(&owner)
        .and_then(|m| m.get_mut(&name))
        .ok_or_else(|| StackError::UnknownPort {
            name: key.to_string(),
            known: String::new(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_base_applies_the_documented_offsets() {
        let spec = crate::lab::stack::StackSpec::builtin().unwrap();
        let mut options = PlanOptions::new(Profile::Full, RuntimeKind::Native);
        options.port_base = Some(20000);
        let plan = Plan::new(&spec, &options).unwrap();
        let expect = [
            ("prometheus", "http", 20000),
            ("alertmanager", "http", 20003),
            ("lab", "webhook", 20009),
            ("node-exporter", "http", 20010),
            ("loki", "http", 20020),
            ("loki", "grpc", 20021),
            ("tempo", "http", 20030),
            ("tempo", "otlp_grpc", 20032),
            ("grafana", "http", 20040),
            ("otel-collector", "otlp_grpc", 20050),
        ];
        for (component, port, want) in expect {
            assert_eq!(plan.port(component, port), Some(want), "{component}.{port}");
        }
        assert_eq!(plan.webhook_url, "http://127.0.0.1:20009/alerts");
        options.port_base = Some(65500);
        assert!(matches!(
            Plan::new(&spec, &options),
            Err(StackError::PortBaseTooHigh { .. })
        ));
        let default =
            Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Native)).unwrap();
        assert_eq!(default.primary_port("prometheus"), Some(9090));
        assert_eq!(
            default.components,
            ["alertmanager", "prometheus", "loki", "tempo"]
        );
        let full = Plan::new(&spec, &PlanOptions::new(Profile::Full, RuntimeKind::Native)).unwrap();
        assert_eq!(full.unavailable, ["cadvisor"]);
    }

    #[test]
    fn the_shop_gets_8080_up_or_base_plus_80_and_free_ports_cover_it() {
        let spec = crate::lab::stack::StackSpec::builtin().unwrap();
        let mut options = PlanOptions::new(Profile::Core, RuntimeKind::Native);
        let plan = Plan::new(&spec, &options).unwrap();
        assert_eq!(plan.shop.len(), Service::ALL.len());
        assert_eq!(plan.shop_ports()[&Service::Storefront], 8080);
        assert_eq!(plan.shop_ports()[&Service::Traffic], 8085);
        options.port_base = Some(20000);
        let based = Plan::new(&spec, &options).unwrap();
        assert_eq!(based.port("shop-orders", SHOP_PORT), Some(20081));
        options.port_base = None;
        options
            .port_overrides
            .insert("shop-payments.http".into(), 9090);
        assert!(matches!(
            Plan::new(&spec, &options),
            Err(StackError::PortClash { .. })
        ));
        options.port_overrides.clear();
        let free = plan.clone().with_free_ports().unwrap();
        let shop_ports: Vec<u16> = free.shop_ports().values().copied().collect();
        assert!(shop_ports.iter().all(|p| !(8080..=8085).contains(p)));
        let mut owners = free.owners();
        owners.push(LAB.to_string());
        let mut all: Vec<u16> = owners
            .iter()
            .filter_map(|o| free.ports.get(o))
            .flat_map(|m| m.values().copied())
            .collect();
        let planned = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), planned, "free ports are distinct");
        options.shop = false;
        let no_shop = Plan::new(&spec, &options).unwrap();
        assert!(no_shop.shop.is_empty() && no_shop.shop_ports().is_empty());
    }
}
