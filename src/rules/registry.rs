//! Every rule, named once. Codes are never reused.

use super::Rule;
use super::dockerfile as d;

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
    // hadolint: shell and package managers
    &d::runtime_command_in_run::RuntimeCommandInRun,
    &d::sudo_in_run::SudoInRun,
    &d::archive_extracted_after_copy::ArchiveExtractedAfterCopy,
    &d::pip_install_unpinned::PipInstallUnpinned,
    &d::npm_install_unpinned::NpmInstallUnpinned,
    &d::apk_add_without_no_cache::ApkAddWithoutNoCache,
    &d::apt_instead_of_apt_get::AptInsteadOfAptGet,
    &d::gem_install_unpinned::GemInstallUnpinned,
    &d::yum_without_yes::YumWithoutYes,
    &d::yum_cache_not_cleaned::YumCacheNotCleaned,
    &d::yum_install_unpinned::YumInstallUnpinned,
    &d::zypper_without_yes::ZypperWithoutYes,
    &d::zypper_dist_upgrade::ZypperDistUpgrade,
    &d::zypper_cache_not_cleaned::ZypperCacheNotCleaned,
    &d::zypper_install_unpinned::ZypperInstallUnpinned,
    &d::dnf_without_yes::DnfWithoutYes,
    &d::dnf_cache_not_cleaned::DnfCacheNotCleaned,
    &d::dnf_install_unpinned::DnfInstallUnpinned,
    &d::pip_install_without_no_cache_dir::PipInstallWithoutNoCacheDir,
    &d::useradd_without_no_log_init::UseraddWithoutNoLogInit,
    &d::wget_without_progress_option::WgetWithoutProgressOption,
    &d::consecutive_run_instructions::ConsecutiveRunInstructions,
    &d::yarn_cache_not_cleaned::YarnCacheNotCleaned,
    &d::go_install_unpinned::GoInstallUnpinned,
    &d::curl_and_wget::CurlAndWget,
    &d::ln_over_bin_sh::LnOverBinSh,
    &d::pipe_without_pipefail::PipeWithoutPipefail,
    // imglint's own
    &d::dependencies_fetched_after_source_copy::DependenciesFetchedAfterSourceCopy,
    &d::final_stage_runs_as_root::FinalStageRunsAsRoot,
    &d::build_image_in_final_stage::BuildImageInFinalStage,
    &d::missing_ca_certificates::MissingCaCertificates,
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
