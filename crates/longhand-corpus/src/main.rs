//! `longhand-corpus`: writes a generated discussion repository, reads a tree as the baseline of
//! the benchmarks, and times the real `longhand` binary on generated corpora.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use longhand_corpus::{bench, generate, Spec};

#[derive(Debug, Parser)]
#[command(name = "longhand-corpus", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a generated discussion: a work tree, a git repository, and/or a Hugo site.
    Generate(GenerateArgs),
    /// Walk a directory and read every file (skipping `.git`): the baseline of `validate`.
    ReadTree {
        /// The directory.
        dir: PathBuf,
    },
    /// Time the real `longhand` binary on generated corpora, with baselines in the same run.
    Bench(bench::Args),
    /// Sign files in place with a test key (an Ed25519 key whose 32-byte seed is the byte
    /// SEED repeated), as the signed conformance vectors are; with no file, print the key's
    /// public half. Never a key to sign with for real.
    Sign {
        /// The test key: the seed byte.
        #[arg(long, default_value_t = 1)]
        seed: u8,
        /// The files to sign (their old signature line is replaced).
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// Where to write the discussion (created; should be empty).
    dir: PathBuf,
    /// How many threads.
    #[arg(long, default_value_t = 100)]
    threads: usize,
    /// How many replies in all.
    #[arg(long, default_value_t = 1000)]
    replies: usize,
    /// How many decision records (default: one per twenty threads).
    #[arg(long)]
    decisions: Option<usize>,
    /// How many people in longhand.yaml.
    #[arg(long, default_value_t = 40)]
    people: usize,
    /// The seed; the same arguments give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Make DIR a git repository with a history of this many commits (oldest files first).
    #[arg(long, value_name = "K")]
    commits: Option<usize>,
    /// Sign every thread header and reply with its author's test key, listed in the roster
    /// (a work tree only; the signature benchmark's corpus).
    #[arg(long, conflicts_with = "commits")]
    signed: bool,
    /// Also write the same content as a plain Hugo site in this directory.
    #[arg(long, value_name = "HUGO_DIR")]
    hugo: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => generate_command(&args),
        Command::ReadTree { dir } => bench::read_tree(&dir)
            .map(|(files, bytes)| println!("{files} files, {bytes} bytes"))
            .map_err(|e| e.to_string()),
        Command::Bench(args) => bench::run(&args).map_err(|e| e.to_string()),
        Command::Sign { seed, files } => sign_command(seed, &files),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("longhand-corpus: {message}");
            ExitCode::from(2)
        }
    }
}

fn sign_command(seed: u8, files: &[PathBuf]) -> Result<(), String> {
    let signer = longhand::signature::KeySigner::ed25519_from_seed([seed; 32]);
    if files.is_empty() {
        use longhand::signature::Signer as _;
        println!("{}", signer.public_key());
    }
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let signed = longhand::signature::sign_file(&bytes, &signer).map_err(|e| e.to_string())?;
        std::fs::write(file, signed).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(())
}

fn generate_command(args: &GenerateArgs) -> Result<(), String> {
    let mut spec = Spec::new(args.threads, args.replies);
    spec.people = args.people;
    spec.seed = args.seed;
    if let Some(decisions) = args.decisions {
        spec.decisions = decisions;
    }
    let corpus = generate(&spec);
    match args.commits {
        Some(commits) => corpus
            .write_git(&args.dir, commits)
            .map_err(|e| e.to_string())?,
        None if args.signed => {
            corpus.write_signed(&args.dir).map_err(|e| e.to_string())?;
        }
        None => {
            corpus.write(&args.dir).map_err(|e| e.to_string())?;
        }
    }
    if let Some(hugo) = &args.hugo {
        corpus.write_hugo(hugo).map_err(|e| e.to_string())?;
    }
    println!(
        "wrote {} threads, {} replies, {} decisions to {}",
        corpus.threads.len(),
        corpus.reply_count(),
        corpus.decisions.len(),
        args.dir.display()
    );
    Ok(())
}
