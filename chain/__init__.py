"""Proof-of-work ledger of the prosumer community's energy trades.

Every trade of every simulated hour is a :class:`Transaction`; trades are
mined into blocks by competing miners (:func:`compete`) on a
:class:`Blockchain`, which can be validated (:func:`validate_chain`), written
to disk and read back (:func:`write_chain`, :func:`read_chain`) and checked
from the command line (``python -m chain.cli_verify FILE [--keys KEYS]``).
Each transaction can be signed by its buyer and its seller (Ed25519,
:class:`KeyRing`); the signatures are checked against a :class:`KeyRegistry`
of public keys kept outside the chain (``keys.json``), because anyone can
re-mine a whole chain at a low difficulty, but nobody can forge a signature.

Modules: ``transaction``, ``merkle``, ``block``, ``pow``, ``blockchain``,
``validation``, ``persistence``, ``keys``, ``cli_verify``, ``errors``.
"""

from chain.block import (
    HEADER_FORMAT,
    HEADER_SIZE,
    ZERO_HASH,
    Block,
    BlockHeader,
    make_genesis_block,
    meets_difficulty,
)
from chain.blockchain import MAX_DIFFICULTY, Blockchain
from chain.errors import ChainError, ChainFileError, ChainValidationError, KeyRegistryError
from chain.keys import KEYS_FILE, KeyRegistry, KeyRing
from chain.merkle import EMPTY_MERKLE_ROOT, merkle_root
from chain.persistence import FORMAT_NAME, FORMAT_VERSION, read_chain, write_chain
from chain.pow import MiningResult, compete, difficulty_target, search_nonce
from chain.transaction import (
    AGGREGATOR_ID,
    SIGNING_DOMAIN,
    TRANSACTION_KINDS,
    Transaction,
    canonical_json,
    make_tx_id,
)
from chain.validation import find_first_invalid, validate_chain


def __getattr__(name: str) -> object:
    # chain.cli_verify is imported lazily so that ``python -m chain.cli_verify``
    # does not find the module already imported by the package (runpy warning).
    if name == "verify_chain_file":
        from chain.cli_verify import verify_chain_file

        return verify_chain_file
    raise AttributeError(f"module 'chain' has no attribute {name!r}")


__all__ = [
    "AGGREGATOR_ID",
    "EMPTY_MERKLE_ROOT",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HEADER_FORMAT",
    "HEADER_SIZE",
    "KEYS_FILE",
    "MAX_DIFFICULTY",
    "SIGNING_DOMAIN",
    "TRANSACTION_KINDS",
    "ZERO_HASH",
    "Block",
    "BlockHeader",
    "Blockchain",
    "ChainError",
    "ChainFileError",
    "ChainValidationError",
    "KeyRegistry",
    "KeyRegistryError",
    "KeyRing",
    "MiningResult",
    "Transaction",
    "canonical_json",
    "compete",
    "difficulty_target",
    "find_first_invalid",
    "make_genesis_block",
    "make_tx_id",
    "meets_difficulty",
    "merkle_root",
    "read_chain",
    "search_nonce",
    "validate_chain",
    "verify_chain_file",
    "write_chain",
]
