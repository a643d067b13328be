//! The `canceldesk` binary: only the command line (`cli`), which serves the desk (the default),
//! migrates, seeds demo data and manages agents, API tokens and keys.

fn main() -> anyhow::Result<()> {
    canceldesk::cli::run()
}
