//! Records the `tracing` events of the `retry_policy` target, with their fields as text.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

pub type Fields = BTreeMap<String, String>;

#[derive(Clone, Default)]
pub struct Recorder {
    events: Arc<Mutex<Vec<Fields>>>,
}

impl Recorder {
    /// Installs the recorder for the current thread until the guard drops.
    ///
    /// Other tests of this binary run on other threads without a subscriber. With a single
    /// registered dispatcher, tracing-core asks only the registering thread's default whether a
    /// new callsite is wanted, so a callsite first hit elsewhere would be cached as "never" and
    /// silenced here too. A second dispatcher, alive for the whole process, makes every callsite
    /// ask each thread's own default instead.
    pub fn install() -> (Recorder, tracing::subscriber::DefaultGuard) {
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let recorder = Recorder::default();
        let guard = tracing::subscriber::set_default(recorder.clone());
        (recorder, guard)
    }

    pub fn events(&self) -> Vec<Fields> {
        self.events.lock().unwrap().clone()
    }
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("retry_policy")
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::new();
        fields.insert("level".to_owned(), event.metadata().level().to_string());
        event.record(&mut Collect(&mut fields));
        self.events.lock().unwrap().push(fields);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
