//! The `canceldesk` binary: only the command line (`cli`), which serves the desk (the default),
//! migrates, seeds demo data and manages agents, API tokens and keys.

// A page allocates hundreds of short strings (fifty rows of words, numbers and names), and
// glibc's allocator took a tenth of the server's time per queue page; see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    canceldesk::cli::run()
}
