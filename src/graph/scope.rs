//! Variables in scope at an instruction: `ARG`s, `ENV`s and the built-in
//! platform arguments, with BuildKit's precedence (`ENV` wins over `ARG`).

use crate::syntax::lex::Env;

/// Where a variable comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// `ARG` in this stage.
    Arg,
    /// `ENV` in this stage or a parent stage.
    Env,
    /// `ARG` before the first `FROM` (only visible to `FROM` lines, or in a
    /// stage after `ARG NAME` re-declares it).
    Global,
    /// `TARGETPLATFORM`, `BUILDARCH` and the other automatic arguments.
    Builtin,
}

/// One variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    /// `None`: declared (`ARG NAME`) but without a value.
    pub value: Option<String>,
    pub kind: VarKind,
    /// The instruction that defined it.
    pub instruction: Option<usize>,
}

/// The variables in force at one point of the build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    vars: Vec<Var>,
}

impl Scope {
    /// Defines or redefines a variable. `ARG` and `ENV` of the same name are
    /// kept apart: `ENV` wins on lookup.
    pub fn set(&mut self, var: Var) {
        let is_env = var.kind == VarKind::Env;
        if let Some(existing) = self
            .vars
            .iter_mut()
            .find(|v| v.name == var.name && (v.kind == VarKind::Env) == is_env)
        {
            *existing = var;
        } else {
            self.vars.push(var);
        }
    }

    /// The variable `name` resolves to (`ENV` first).
    pub fn var(&self, name: &str) -> Option<&Var> {
        self.vars
            .iter()
            .find(|v| v.name == name && v.kind == VarKind::Env)
            .or_else(|| self.vars.iter().find(|v| v.name == name))
    }

    /// Whether `name` is declared at all (with or without a value).
    pub fn is_declared(&self, name: &str) -> bool {
        self.vars.iter().any(|v| v.name == name)
    }

    pub fn vars(&self) -> &[Var] {
        &self.vars
    }

    /// Only the `ENV` variables (what a child stage inherits).
    pub fn env_only(&self) -> Scope {
        Scope {
            vars: self
                .vars
                .iter()
                .filter(|v| v.kind == VarKind::Env)
                .cloned()
                .collect(),
        }
    }

    /// Names in scope, for "did you mean" suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().map(|v| v.name.as_str())
    }
}

impl Env for Scope {
    fn get(&self, name: &str) -> Option<&str> {
        self.var(name).and_then(|v| v.value.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: Option<&str>, kind: VarKind) -> Var {
        Var {
            name: name.into(),
            value: value.map(Into::into),
            kind,
            instruction: None,
        }
    }

    #[test]
    fn env_wins_over_arg_regardless_of_order() {
        let mut s = Scope::default();
        s.set(var("V", Some("env"), VarKind::Env));
        s.set(var("V", Some("arg"), VarKind::Arg));
        assert_eq!(Env::get(&s, "V"), Some("env"));
    }

    #[test]
    fn declared_without_value_is_unset() {
        let mut s = Scope::default();
        s.set(var("V", None, VarKind::Arg));
        assert!(s.is_declared("V"));
        assert_eq!(Env::get(&s, "V"), None);
    }

    #[test]
    fn redefinition_replaces() {
        let mut s = Scope::default();
        s.set(var("V", Some("1"), VarKind::Env));
        s.set(var("V", Some("2"), VarKind::Env));
        assert_eq!(s.vars().len(), 1);
        assert_eq!(Env::get(&s, "V"), Some("2"));
    }
}
