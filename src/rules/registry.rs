//! Every rule, named once. Codes are never reused.

use super::dockerfile as d;
use super::{Meta, Rule};
use crate::image::checks as i;

/// An image check in the registry: its metadata only; `imglint image` runs
/// it ([`crate::image::checks`]).
pub struct ImageRule(pub &'static Meta);

impl Rule for ImageRule {
    fn meta(&self) -> &'static Meta {
        self.0
    }
}

static RULES: &[&dyn Rule] = &[
    // rules hadolint has, under hadolint's codes
    &d::last_user_is_root::LastUserIsRoot,
    &d::cd_in_run::CdInRun,
    &d::image_without_tag::ImageWithoutTag,
    &d::image_tagged_latest::ImageTaggedLatest,
    &d::apt_get_unpinned::AptGetUnpinned,
    &d::apt_lists_not_removed::AptListsNotRemoved,
    &d::apt_get_without_yes::AptGetWithoutYes,
    &d::apt_get_install_recommends::AptGetInstallRecommends,
    &d::apk_add_unpinned::ApkAddUnpinned,
    &d::shell_form_command::ShellFormCommand,
    &d::secret_in_arg_or_env::SecretInArgOrEnv,
    // imglint's own
    &d::unknown_instruction::UnknownInstruction,
    &d::invalid_flag::InvalidFlag,
    &d::dependencies_fetched_after_source_copy::DependenciesFetchedAfterSourceCopy,
    &d::final_stage_runs_as_root::FinalStageRunsAsRoot,
    &d::build_image_in_final_stage::BuildImageInFinalStage,
    &d::missing_ca_certificates::MissingCaCertificates,
    // size
    &d::heavy_final_base_image::HeavyFinalBaseImage,
    // image checks
    &ImageRule(&i::root_user::META),
    &ImageRule(&i::missing_healthcheck::META),
    &ImageRule(&i::secret_in_env::META),
    &ImageRule(&i::secret_in_history::META),
    &ImageRule(&i::credential_file::META),
    &ImageRule(&i::setuid_file::META),
    &ImageRule(&i::world_writable_file::META),
    &ImageRule(&i::duplicate_account_id::META),
    &ImageRule(&i::empty_password::META),
    &ImageRule(&i::unnecessary_file::META),
    &ImageRule(&i::package_cache::META),
    &ImageRule(&i::sensitive_volume::META),
    &ImageRule(&i::add_in_history::META),
    &ImageRule(&i::sudo_in_history::META),
    &ImageRule(&i::image_lacks_ca_certificates::META),
    &ImageRule(&i::shell_form_without_shell::META),
    &ImageRule(&i::unsafe_layer_entry::META),
    &ImageRule(&i::file_readded_unchanged::META),
];

/// All rules, in a fixed order.
pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

/// The rule a selector names exactly (code, name or alias).
pub fn by_selector(selector: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().is_named(selector))
}

/// The position of the rule with `code` in [`all`].
pub fn index_of(code: &str) -> Option<usize> {
    RULES.iter().position(|r| r.meta().code == code)
}
