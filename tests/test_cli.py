"""Tests for the `pith` command line."""

from typer.testing import CliRunner

from pith import __version__
from pith.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "microkernel operating system in Python" in result.stdout
    for command in ("version", "kernel-size", "bench", "boot"):
        assert command in result.stdout


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_kernel_size_runs() -> None:
    result = runner.invoke(app, ["kernel-size"])
    assert result.exit_code == 0
    assert "kernel size:" in result.stdout


def test_bench_rejects_unknown_target() -> None:
    result = runner.invoke(app, ["bench", "nonsense"])
    assert result.exit_code == 2


def test_boot_without_a_command_needs_a_shell_in_the_manifest() -> None:
    result = runner.invoke(app, ["boot", "--manifest", "examples/echo.toml"])
    assert result.exit_code == 2
    assert "--command" in result.stderr


def test_boot_with_a_missing_manifest_is_a_clear_error() -> None:
    result = runner.invoke(app, ["boot", "--manifest", "/nonexistent.toml", "--command", "echo"])
    assert result.exit_code == 2
    assert "/nonexistent.toml" in result.stderr
