"""Fuzzing verify-chain: damaged, truncated or garbage chain and registry files give a clean
one-line error and exit code 1 or 2, never a traceback (``chain.cli_verify.main``)."""

from __future__ import annotations

import contextlib
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chain import KEYS_FILE, write_chain
from chain.cli_verify import main

FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_counter = itertools.count()


@pytest.fixture(scope="module")
def signed_files(signed_chain, keyring, tmp_path_factory):
    """Bytes of a signed chain file and of its key registry."""
    folder = tmp_path_factory.mktemp("signed")
    write_chain(folder / "chain.jsonl", signed_chain.blocks)
    keyring.registry.write(folder / KEYS_FILE)
    return (folder / "chain.jsonl").read_bytes(), (folder / KEYS_FILE).read_bytes()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def run_verify(fuzz_dir, chain: bytes, registry: bytes | None, explicit: bool = False):
    """Write the files into a fresh folder, run ``main``; return (code, stdout, stderr)."""
    folder = fuzz_dir / f"case-{next(_counter)}"
    folder.mkdir()
    (folder / "chain.jsonl").write_bytes(chain)
    argv = [str(folder / "chain.jsonl"), "--accept-unanchored"]  # the anchor: elsewhere
    if registry is not None:
        name = "elsewhere.json" if explicit else KEYS_FILE
        (folder / name).write_bytes(registry)
        if explicit:
            argv += ["--keys", str(folder / name)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)  # any exception fails the test: no traceback allowed
    return code, out.getvalue(), err.getvalue()


def assert_refused(code, out, err, codes=(1, 2)):
    assert code in codes, (code, out, err)
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(("invalid chain: ", "cannot ")), err
    assert "Traceback" not in err


def test_the_undamaged_files_verify(signed_files, fuzz_dir):
    chain, registry = signed_files
    code, out, err = run_verify(fuzz_dir, chain, registry)
    assert code == 0 and err == "" and "signatures: all 14 verified" in out
    assert run_verify(fuzz_dir, chain, registry, explicit=True)[0] == 0


@FUZZ
@given(data=st.data())
def test_random_byte_changes_of_the_chain(signed_files, fuzz_dir, data):
    chain, registry = signed_files
    raw = bytearray(chain)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255).filter(lambda b, i=i: b != chain[i]))
    assert_refused(*run_verify(fuzz_dir, bytes(raw), registry), codes=(1,))


@FUZZ
@given(data=st.data())
def test_truncated_and_spliced_chains(signed_files, fuzz_dir, data):
    chain, registry = signed_files
    cut = data.draw(st.integers(0, len(chain) - 1))
    kind = data.draw(st.sampled_from(["truncate", "insert", "delete span", "append"]))
    if kind == "truncate":
        damaged = chain[:cut]
    elif kind == "insert":
        damaged = chain[:cut] + data.draw(st.binary(min_size=1, max_size=40)) + chain[cut:]
    elif kind == "delete span":
        end = data.draw(st.integers(cut + 1, min(len(chain), cut + 300)))
        damaged = chain[:cut] + chain[end:]
    else:
        damaged = chain + data.draw(st.binary(min_size=1, max_size=200))
    assert_refused(*run_verify(fuzz_dir, damaged, registry), codes=(1,))


@FUZZ
@given(
    garbage=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=500).map(lambda b: b'{"format":"prosumer-community-chain",' + b),
        st.text(max_size=500).map(lambda t: t.encode("utf-8")),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner),
            max_leaves=20,
        ).map(lambda v: (repr(v) + "\n").encode("utf-8")),
    )
)
def test_garbage_chain_files(signed_files, fuzz_dir, garbage):
    _, registry = signed_files
    assert_refused(*run_verify(fuzz_dir, garbage, registry), codes=(1,))


@FUZZ
@given(data=st.data())
def test_damaged_registries(signed_files, fuzz_dir, data):
    chain, registry = signed_files
    kind = data.draw(st.sampled_from(["bytes", "truncate", "garbage"]))
    if kind == "bytes":
        raw = bytearray(registry)
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255).filter(lambda b, i=i: b != registry[i]))
        damaged = bytes(raw)
    elif kind == "truncate":
        damaged = registry[: data.draw(st.integers(0, len(registry) - 1))]
    else:
        damaged = data.draw(st.binary(max_size=1000))
    explicit = data.draw(st.booleans())
    code, out, err = run_verify(fuzz_dir, chain, damaged, explicit=explicit)
    assert_refused(code, out, err, codes=(2,))
    assert err.startswith("cannot use key registry")


def test_unusable_paths(signed_files, fuzz_dir):
    chain, registry = signed_files
    folder = fuzz_dir / "paths"
    folder.mkdir()
    (folder / "chain.jsonl").write_bytes(chain)
    (folder / KEYS_FILE).mkdir()  # a directory where the registry should be
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main([str(folder / "chain.jsonl")]) == 2
        assert main([str(folder / "chain.jsonl"), "--keys", str(folder / "none.json")]) == 2
        assert main([str(folder / "missing.jsonl"), "--keys", str(folder / "none.json")]) == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("cannot read key registry") and len(lines) == 3
