use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(imglint::cli::run().code())
}
