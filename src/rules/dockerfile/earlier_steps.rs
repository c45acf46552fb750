//! What ran before a command in its stage chain: the `RUN` commands of the
//! `FROM` parents and of the stage, then the earlier commands of the same
//! `RUN`. Tool rules use it to see what an earlier step installed,
//! configured or fetched.

use crate::rules::Context;
use crate::shell::{Script, SimpleCommand};

/// One command that ran earlier.
#[derive(Clone, Copy)]
pub struct Step<'a> {
    /// The top-level instruction holding the command.
    pub instruction: usize,
    pub script: &'a Script,
    /// The command's index in its script.
    pub index: usize,
    pub cmd: &'a SimpleCommand,
}

/// The commands that run before command `ci` of script `si` of the
/// instruction being checked, in the order they run. Empty inside
/// `ONBUILD`, whose stage is not known.
pub fn earlier_commands<'a>(cx: &Context<'a>, si: usize, ci: usize) -> Vec<Step<'a>> {
    let mut steps = Vec::new();
    let (Some(current), Some(state)) = (cx.instruction_index(), cx.state()) else {
        return steps;
    };
    if cx.in_onbuild() {
        return steps;
    }
    for i in cx.build().chain_instructions(state.stage) {
        if i >= current {
            break;
        }
        push_all(cx.scripts_of(i), i, &mut steps);
    }
    let scripts = cx.scripts();
    push_all(scripts.get(..si).unwrap_or_default(), current, &mut steps);
    if let Some(script) = scripts.get(si) {
        for (index, cmd) in script.commands.iter().enumerate().take(ci) {
            steps.push(Step {
                instruction: current,
                script,
                index,
                cmd,
            });
        }
    }
    steps
}

/// The top-level instructions of the stage chain before the instruction
/// being checked.
pub fn earlier_instructions(cx: &Context<'_>) -> Vec<usize> {
    let (Some(current), Some(state)) = (cx.instruction_index(), cx.state()) else {
        return Vec::new();
    };
    cx.build()
        .chain_instructions(state.stage)
        .into_iter()
        .filter(|&i| i < current)
        .collect()
}

fn push_all<'a>(scripts: &'a [Script], instruction: usize, steps: &mut Vec<Step<'a>>) {
    for script in scripts {
        for (index, cmd) in script.commands.iter().enumerate() {
            steps.push(Step {
                instruction,
                script,
                index,
                cmd,
            });
        }
    }
}
