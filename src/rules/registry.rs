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
    &d::unknown_instruction::UnknownInstruction,
    &d::invalid_flag::InvalidFlag,
    &d::invalid_exec_form::InvalidExecForm,
    &d::empty_continuation_line::EmptyContinuationLine,
    &d::instruction_casing::InstructionCasing,
    &d::from_as_casing::FromAsCasing,
    &d::stage_name_casing::StageNameCasing,
    &d::legacy_key_value_format::LegacyKeyValueFormat,
    &d::expose_protocol_casing::ExposeProtocolCasing,
    &d::expose_invalid_format::ExposeInvalidFormat,
    &d::invalid_definition_description::InvalidDefinitionDescription,
    &d::undefined_arg_in_from::UndefinedArgInFrom,
    &d::undefined_variable::UndefinedVariable,
    &d::invalid_default_arg_in_from::InvalidDefaultArgInFrom,
    &d::invalid_image_reference::InvalidImageReference,
    &d::copy_ignored_file::CopyIgnoredFile,
    &d::orphan_package_index_update::OrphanPackageIndexUpdate,
    &d::apt_get_dist_upgrade::AptGetDistUpgrade,
    &d::final_stage_runs_as_root::FinalStageRunsAsRoot,
    &d::ssh_port_exposed::SshPortExposed,
    &d::tls_verification_disabled::TlsVerificationDisabled,
    &d::package_signature_check_disabled::PackageSignatureCheckDisabled,
    &d::password_set_in_run::PasswordSetInRun,
    &d::volume_on_system_directory::VolumeOnSystemDirectory,
    &d::workdir_in_system_directory::WorkdirInSystemDirectory,
    &d::build_image_in_final_stage::BuildImageInFinalStage,
    &d::missing_ca_certificates::MissingCaCertificates,
    // language build advice: layer order, cache mounts, lockfiles
    &d::dependencies_fetched_after_source_copy::DependenciesFetchedAfterSourceCopy,
    &d::lockfile_not_copied::LockfileNotCopied,
    &d::manifest_copy_flattens_tree::ManifestCopyFlattensTree,
    &d::cargo_stub_source_not_touched::CargoStubSourceNotTouched,
    &d::cargo_chef_cook_mismatch::CargoChefCookMismatch,
    &d::dependency_step_without_cache_mount::DependencyStepWithoutCacheMount,
    &d::cache_mount_output_not_persisted::CacheMountOutputNotPersisted,
    &d::cache_mount_defeated::CacheMountDefeated,
    &d::apt_cache_mount_with_docker_clean::AptCacheMountWithDockerClean,
    &d::apt_cache_mount_unlocked::AptCacheMountUnlocked,
    &d::apk_cache_mount_ineffective::ApkCacheMountIneffective,
    &d::cache_mount_not_owned_by_user::CacheMountNotOwnedByUser,
    &d::npm_install_with_lockfile::NpmInstallWithLockfile,
    &d::js_install_unfrozen::JsInstallUnfrozen,
    &d::cargo_build_unlocked::CargoBuildUnlocked,
    &d::cargo_install_unlocked::CargoInstallUnlocked,
    &d::lockfile_rewritten_in_build::LockfileRewrittenInBuild,
    &d::go_get_install::GoGetInstall,
    &d::uv_sync_unlocked::UvSyncUnlocked,
    &d::pipenv_install_unlocked::PipenvInstallUnlocked,
    &d::bundle_install_unfrozen::BundleInstallUnfrozen,
    &d::dotnet_restore_unlocked::DotnetRestoreUnlocked,
    &d::pip_requirements_unhashed::PipRequirementsUnhashed,
    &d::conda_env_unlocked::CondaEnvUnlocked,
    // size
    &d::heavy_final_base_image::HeavyFinalBaseImage,
    // language build advice: tools, runtime image, linking, runtime behaviour
    &d::node_build_after_dev_dependencies_omitted::NodeBuildAfterDevDependenciesOmitted,
    &d::node_package_manager_not_bundled::NodePackageManagerNotBundled,
    &d::poetry_removed_cli_option::PoetryRemovedCliOption,
    &d::bundler_removed_install_flag::BundlerRemovedInstallFlag,
    &d::composer_scripts_before_source::ComposerScriptsBeforeSource,
    &d::composer_ignore_platform_reqs::ComposerIgnorePlatformReqs,
    &d::dotnet_publish_runtime_mismatch::DotnetPublishRuntimeMismatch,
    &d::maven_offline_after_go_offline::MavenOfflineAfterGoOffline,
    &d::wrapper_files_not_copied::WrapperFilesNotCopied,
    &d::pip_install_into_externally_managed_python::PipInstallIntoExternallyManagedPython,
    &d::jdk_as_runtime::JdkAsRuntime,
    &d::build_deps_in_final_stage::BuildDepsInFinalStage,
    &d::node_dev_dependencies_in_final_stage::NodeDevDependenciesInFinalStage,
    &d::python_dev_dependencies_in_final_stage::PythonDevDependenciesInFinalStage,
    &d::package_manager_as_pid1::PackageManagerAsPid1,
    &d::node_as_pid1_without_init::NodeAsPid1WithoutInit,
    &d::uv_run_at_startup::UvRunAtStartup,
    &d::shell_form_on_shell_less_image::ShellFormOnShellLessImage,
    &d::run_in_shell_less_stage::RunInShellLessStage,
    &d::healthcheck_on_shell_less_image::HealthcheckOnShellLessImage,
    &d::scratch_without_zoneinfo::ScratchWithoutZoneinfo,
    &d::user_name_without_passwd::UserNameWithoutPasswd,
    &d::go_build_unstripped::GoBuildUnstripped,
    &d::go_cgo_binary_on_static_base::GoCgoBinaryOnStaticBase,
    &d::rust_glibc_binary_on_static_base::RustGlibcBinaryOnStaticBase,
    &d::glibc_version_skew::GlibcVersionSkew,
    &d::native_deps_copied_across_libc::NativeDepsCopiedAcrossLibc,
    &d::python_venv_copied_across_interpreters::PythonVenvCopiedAcrossInterpreters,
    &d::glibc_compat_shim_on_alpine::GlibcCompatShimOnAlpine,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_never_an_alias_of_another_rule() {
        let mut seen = HashSet::new();
        for r in RULES {
            let m = r.meta();
            assert!(
                seen.insert(m.code.to_ascii_lowercase()),
                "code {} twice",
                m.code
            );
            assert!(
                seen.insert(m.name.to_ascii_lowercase()),
                "name {} twice",
                m.name
            );
        }
        for r in RULES {
            for a in r.meta().aliases {
                assert!(
                    !seen.contains(&a.to_ascii_lowercase()),
                    "{}: alias {a} is another rule's code or name",
                    r.meta().code
                );
            }
        }
    }
}
