//! Which instructions add layers to the image: those of the target stage
//! and of the stages it is built `FROM`. Builder stages that are only
//! copied from are thrown away, so what they leave behind costs nothing.

use crate::rules::Context;

/// Whether the instruction being checked ends up in the image. `ONBUILD`
/// bodies run in a child image's build, so they always count.
pub fn ships_in_image(cx: &Context<'_>) -> bool {
    if cx.in_onbuild() {
        return true;
    }
    let build = cx.build();
    let (Some(state), Some(target)) = (cx.state(), build.target) else {
        return true;
    };
    build.chain(target).contains(&state.stage)
}
