fn main() -> anyhow::Result<()> {
    canceldesk::cli::run()
}
