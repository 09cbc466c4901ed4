"""The chain state of a fitted index: placement, profiles and per-park node values, built once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..index import MatchIndex
from ..io import validate_tenants
from ._data import ChainSet, load_chains
from ._placement import Placement, node_matrix, place_enterprises
from ._profiles import EXTEND, MISSING, STRONG, THIN, ParkChainProfile, park_profiles

if TYPE_CHECKING:
    from ..matching import Matcher

__all__ = ["LINK_BONUS", "STATUS_VALUE", "ChainState", "chain_state", "matcher_chain_state"]

#: Value of a node for the chain component, by status (补链 > 强链 > 延链 > 集聚).
STATUS_VALUE = {MISSING: 1.0, THIN: 0.85, EXTEND: 0.6, STRONG: 0.45}
#: Added when the node supplies or buys from a node that holds tenants (capped at 1).
LINK_BONUS = 0.15


@dataclass
class ChainState:
    """Everything the chain-aware parts need for one fitted index.

    Attributes
    ----------
    chains : ChainSet
    thin : int
    node_tfidf : sparse matrix
        The nodes' TF-IDF rows with the index's vectoriser.
    placement : Placement
        Placement of the fitted enterprises.
    profiles : list of ParkChainProfile
        One per park row.
    value : numpy.ndarray of float32, shape (m, n_nodes + 1)
        Chain component value of each node for each park (last column: no node, 0).
    neighbours : numpy.ndarray of float32, shape (m, n_nodes + 1)
        Presence of suppliers and customers among each park's tenants for an enterprise on each
        node, NaN where unknown (used by the preference component).
    known : numpy.ndarray of bool
        Parks with chain and tenant information.
    tenant_rows : numpy.ndarray of bool
        Fitted enterprises that are tenants of some park.
    """

    chains: ChainSet
    thin: int
    node_tfidf: sparse.csr_matrix
    placement: Placement
    profiles: list[ParkChainProfile]
    value: np.ndarray
    neighbours: np.ndarray
    known: np.ndarray
    tenant_rows: np.ndarray


def _park_tables(
    chains: ChainSet, profiles: list[ParkChainProfile]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, N = len(profiles), len(chains)
    value = np.zeros((m, N + 1), dtype=np.float32)
    neighbours = np.full((m, N + 1), np.nan, dtype=np.float32)
    known = np.zeros(m, dtype=bool)
    for i, prof in enumerate(profiles):
        known[i] = prof.has_tenants and bool(prof.chains)
        if not prof.has_tenants:
            continue
        occupied = prof.occupied
        for j in range(N):
            ups, downs = chains.up[j], chains.down[j]
            linked = bool(occupied[ups].any() or occupied[downs].any())
            base = STATUS_VALUE.get(int(prof.status[j]), 0.0)
            if base > 0:
                value[i, j] = min(1.0, base + LINK_BONUS * linked)
            parts = []
            if len(ups):
                parts.append(float(occupied[ups].any()))
            if len(downs):
                parts.append(float(occupied[downs].any()))
            neighbours[i, j] = float(np.mean(parts)) if parts else np.nan
    return value, neighbours, known


def _pairs_digest(tenants: pd.DataFrame | None) -> str | None:
    """What the tenants table says, as a digest: equal tables share a chain state (an ``id()``
    would be reused by a later table once the first is gone)."""
    if tenants is None:
        return None
    pairs = tenants[["park_id", "enterprise_id"]].astype(str).to_csv(index=False)
    return hashlib.sha256(pairs.encode("utf-8")).hexdigest()


def chain_state(
    index: MatchIndex,
    parks: pd.DataFrame,
    tenants: pd.DataFrame | None,
    *,
    chains: ChainSet | None = None,
    thin: int = 2,
    cache: bool = True,
) -> ChainState:
    """Build (or fetch from ``index.parks.extras``) the chain state of a fitted index.

    Parameters
    ----------
    index : MatchIndex
    parks : DataFrame
        The validated parks the index was built from (same rows).
    tenants : DataFrame or None
        Validated ``park_id, enterprise_id`` pairs.
    chains : ChainSet, default=None
        None uses the bundled chains.
    thin : int, default=2
        Fewer tenants than this on a node is thin.
    cache : bool, default=True
        Keep the state in ``index.parks.extras["chain_states"]`` so that several families
        share it (the key is the chain set, ``thin`` and the tenants' pairs).
    """
    chains = load_chains() if chains is None else chains
    key = (chains, int(thin), _pairs_digest(tenants))
    store: dict[tuple[Any, ...], ChainState] = index.parks.extras.setdefault("chain_states", {})
    if cache and key in store:
        return store[key]
    E = index.enterprises
    node_tfidf = node_matrix(chains, index)
    placement = place_enterprises(index, chains, node_tfidf=node_tfidf)
    names = E.names.tolist() if hasattr(E.names, "tolist") else list(E.names)
    profiles = park_profiles(chains, parks, placement, np.asarray(E.ids), names, tenants, thin=thin)
    value, neighbours, known = _park_tables(chains, profiles)
    tenant_rows = np.zeros(len(E), dtype=bool)
    if tenants is not None:
        rows = E.position.rows(tenants["enterprise_id"].astype(str).tolist())
        tenant_rows[rows[rows >= 0]] = True
    state = ChainState(
        chains, int(thin), node_tfidf, placement, profiles, value, neighbours, known, tenant_rows
    )
    if cache:
        store[key] = state
    return state


def matcher_chain_state(
    matcher: Matcher,
    *,
    tenants: pd.DataFrame | None = None,
    chains: ChainSet | None = None,
    thin: int = 2,
) -> ChainState:
    """The chain state of a fitted matcher (shared with its chain families when they match)."""
    index = matcher.check_fitted()
    if tenants is not None:
        tenants = validate_tenants(
            tenants, parks=matcher.parks_, enterprises=matcher.enterprises_, file="tenants"
        )
        return chain_state(index, matcher.parks_, tenants, chains=chains, thin=thin, cache=False)
    for key, value in index.parks.extras.items():  # the state a chain family built at fit
        if key.endswith(":state") and isinstance(value, ChainState) and value.thin == thin:
            if chains is None or value.chains is chains:
                return value
    family_tenants = index.parks.extras.get("chain_tenants", matcher.tenants_)
    return chain_state(index, matcher.parks_, family_tenants, chains=chains, thin=thin)
