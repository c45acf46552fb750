//! Rules over Dockerfiles, one per file, named for what they flag.

pub mod apk_add_unpinned;
pub mod apt_get_install_recommends;
pub mod apt_get_unpinned;
pub mod apt_get_without_yes;
pub mod apt_lists_not_removed;
pub mod build_image_in_final_stage;
pub mod cd_in_run;
pub mod dependencies_fetched_after_source_copy;
pub mod final_stage_runs_as_root;
pub mod heavy_final_base_image;
pub mod image_tagged_latest;
pub mod image_without_tag;
pub mod invalid_flag;
pub mod last_user_is_root;
pub mod missing_ca_certificates;
pub mod secret_in_arg_or_env;
pub mod shell_form_command;
pub mod unknown_instruction;
