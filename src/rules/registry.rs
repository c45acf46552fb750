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
    // hadolint: instructions and structure
    &d::inline_ignore_pragma::InlineIgnorePragma,
    &d::relative_workdir::RelativeWorkdir,
    &d::exposed_port_out_of_range::ExposedPortOutOfRange,
    &d::multiple_healthchecks::MultipleHealthchecks,
    &d::add_instead_of_copy::AddInsteadOfCopy,
    &d::copy_destination_without_slash::CopyDestinationWithoutSlash,
    &d::copy_from_unknown_stage::CopyFromUnknownStage,
    &d::copy_from_own_stage::CopyFromOwnStage,
    &d::duplicate_stage_name::DuplicateStageName,
    &d::untrusted_registry::UntrustedRegistry,
    &d::from_platform_constant::FromPlatformConstant,
    &d::invalid_onbuild_trigger::InvalidOnbuildTrigger,
    &d::env_same_instruction_reference::EnvSameInstructionReference,
    &d::relative_copy_without_workdir::RelativeCopyWithoutWorkdir,
    &d::invalid_label_key::InvalidLabelKey,
    &d::missing_required_label::MissingRequiredLabel,
    &d::label_not_in_schema::LabelNotInSchema,
    &d::empty_schema_label::EmptySchemaLabel,
    &d::invalid_url_label::InvalidUrlLabel,
    &d::invalid_rfc3339_label::InvalidRfc3339Label,
    &d::invalid_spdx_label::InvalidSpdxLabel,
    &d::invalid_hash_label::InvalidHashLabel,
    &d::invalid_semver_label::InvalidSemverLabel,
    &d::missing_healthcheck::MissingHealthcheck,
    &d::invalid_email_label::InvalidEmailLabel,
    &d::instruction_before_from::InstructionBeforeFrom,
    &d::reserved_stage_name::ReservedStageName,
    &d::redundant_target_platform::RedundantTargetPlatform,
    &d::non_numeric_user::NonNumericUser,
    &d::copy_entire_filesystem::CopyEntireFilesystem,
    &d::maintainer_instruction::MaintainerInstruction,
    &d::multiple_cmds::MultipleCmds,
    &d::multiple_entrypoints::MultipleEntrypoints,
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
