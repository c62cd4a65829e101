//! The `promosim` command. All the work is in the library; see `cli.rs`.

fn main() -> std::process::ExitCode {
    promosim::cli::main()
}
