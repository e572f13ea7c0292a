"""Naive baseline: a straightforward Python port of the energy-community simulator
this project grew from ("the original" below).

This module exists only to be timed against the project's fast implementation. It keeps the
original's *algorithmic structure* (its own description, not part of this repository):

- one Python object per prosumer and per-prosumer method calls every hour;
- battery arbitrage by sorting the batteries when demand exceeds supply;
- P2P matching as a nested ``for buyer: for seller:`` loop over the sorted books;
- a local-market loop over every prosumer for what P2P left;
- a blockchain whose proof of work re-serialises the whole block with
  ``json.dumps(block_dict, sort_keys=True)`` and takes a SHA-256 ``hexdigest`` for every nonce,
  with one randomly chosen miner (of 15) per block and at most 50 transactions per block;
- a regulator that pays bonuses and charges penalties per prosumer per hour;
- the original's CSV logging, kept as rows (dicts) in memory; :meth:`NaiveCommunity.write_csv`
  writes them, outside any timed part.

The numbers follow the original's specification (not part of this repository; its profiles,
battery and seed pricing are described in docs/hour.md) (so the
figures are comparable with the fast implementation), not bit for bit: this port draws its own
random numbers from ``random.Random(seed)``.

Choices where the original was ambiguous (also listed in the report of this baseline):

- Battery: stored = input * 0.95, delivered = withdrawn * 0.95, SOC in [0.1, 0.95]; the charge
  accepted is limited so the stored energy reaches exactly the upper bound. Selling stored
  energy (battery arbitrage) obeys the same losses and lower bound (its spec),
  unlike the original.
- Battery arbitrage candidates are prosumers with a battery that are neither banned, nor buyers,
  nor already sellers this hour (a prosumer has a single ask); largest usable stored energy first;
  each offers min(50 % of its deliverable stored energy, the remaining shortfall, the trade cap).
- P2P loop: as in the original, for every buyer every seller is visited (no early exit on
  ``bid < ask``); exhausted sellers are skipped and the inner loop ends when the buyer is served.
- Local market: every remaining imbalance (also above the cap, in the dead band and of banned
  prosumers) is settled; the fee is per kWh by default (its spec), the original's
  quantity-scaled fee is the option ``fee_scales_with_quantity=True``. The market price is the
  hour's forecast.
- Chain: by default the mempool is mined until empty every hour (its spec, and every trade is
  then on the chain exactly once). The original's "25 blocks mined" for a day suggests it mined one
  block of <= 50 transactions per hour, leaving the rest pending: ``drain_mempool=False``.
  Block timestamps are the simulated hour (not wall time), for determinism. The miner choice
  uses its own ``random.Random`` so that chain on and chain off give the same energy figures.
- Regulator (objective ``maximize_renewable``): each hour, per prosumer, bonus 0.02 EUR/kWh of
  renewable energy used (PV self-consumed + battery energy delivered to the home) plus
  0.01 EUR/kWh of P2P energy traded, penalty 0.02 EUR/kWh of market energy traded - on this
  hour's quantities (its spec; the original compounded running totals). Bans on the running
  totals as in the original: penalties > 5 and bonus < 5 -> 2 h; balance < -50 -> 3 h; no
  re-ban for the same reason within 5 h.

Run ``python benchmarks/naive_original.py`` (options: ``--prosumers``, ``--hours``,
``--no-chain``, ``--difficulty``, ``--one-block-per-hour``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import time
from pathlib import Path

# --- config.py ------------------------------------------------------------------------------
NUM_PROSUMERS = 100
TIME_STEPS = 24

PV_CAPACITY = [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0]
BASE_CONSUMPTION = [0.35, 0.45, 0.55, 0.65, 0.75, 0.90, 1.05, 1.20, 1.35, 1.50]
HAS_BATTERY = 0.8
BATTERY_CAPACITY = [5.0, 7.0, 8.0, 10.0, 12.0, 13.0, 15.0, 17.0, 18.0, 20.0]
BATTERY_EFFICIENCY = 0.95
BATTERY_MIN_SOC = 0.1
BATTERY_MAX_SOC = 0.95
BATTERY_INITIAL_SOC = 0.5

BASE_PRICE = 0.15
MAX_TRADE_CAP = 3.0
LOCAL_MARKET_FEE = 0.03
IMBALANCE_THRESHOLD = 0.05
DEAD_BAND = 0.01
ARBITRAGE_SHARE = 0.5

NUM_MINERS = 15
DIFFICULTY_TARGET = 3
BLOCK_REWARD = 0.1
MAX_TRANSACTIONS_PER_BLOCK = 50
MAX_NONCE_ATTEMPTS = 50_000_000

RENEWABLE_BONUS = 0.02
P2P_BONUS = 0.01
PENALTY_FOR_MARKET = 0.02
BAN_PENALTY_THRESHOLD = 5.0
BAN_BONUS_THRESHOLD = 5.0
BAN_BALANCE_THRESHOLD = -50.0
BAN_MARKET_DURATION = 2
BAN_BALANCE_DURATION = 3
REBAN_WINDOW = 5

AGGREGATOR = "aggregator"
EPS = 1e-12

LOAD_FACTORS = [0.4, 0.35, 0.35, 0.35, 0.4, 0.6, 1.1, 1.4, 1.2, 0.9, 0.8, 0.9,
                1.0, 0.9, 0.8, 0.8, 0.9, 1.1, 1.6, 1.9, 1.7, 1.4, 1.0, 0.6]  # fmt: skip
PRICE_FACTORS = [0.7, 0.6, 0.6, 0.6, 0.7, 0.9, 1.3, 1.5, 1.4, 1.2, 1.1, 1.2,
                 1.3, 1.1, 1.0, 1.0, 1.1, 1.2, 1.5, 1.6, 1.5, 1.3, 1.1, 0.9]  # fmt: skip


# --- data_generation.py ---------------------------------------------------------------------
def generate_pv_generation(rng: random.Random, hour: int, pv_capacity: float) -> float:
    """PV of one hour [kWh]: half a sine from 6 h to 18 h, 88 % system efficiency, weather."""
    if hour < 6 or hour > 18:
        return 0.0
    generation_factor = math.sin(math.pi * (hour - 6) / 12)
    weather_factor = rng.uniform(0.5, 1.0)
    return max(0.0, pv_capacity * generation_factor * 0.88 * weather_factor)


def generate_consumption(rng: random.Random, hour: int, base_consumption: float) -> float:
    """Household load of one hour [kWh]."""
    variation = rng.uniform(0.85, 1.15)
    return max(0.25, base_consumption * LOAD_FACTORS[hour] * variation)


def forecast_price(rng: random.Random, hour: int, base_price: float) -> float:
    """Grid price forecast of one hour [EUR/kWh]."""
    return base_price * PRICE_FACTORS[hour] * rng.uniform(0.95, 1.05)


# --- prosumer.py ----------------------------------------------------------------------------
class Prosumer:
    def __init__(self, prosumer_id, pv_capacity, base_consumption, battery_capacity, rng):
        self.id = prosumer_id
        self.rng = rng
        self.pv_capacity = pv_capacity
        self.base_consumption = base_consumption
        self.battery_capacity = battery_capacity
        self.battery_level = battery_capacity * BATTERY_INITIAL_SOC
        self.min_level = battery_capacity * BATTERY_MIN_SOC
        self.max_level = battery_capacity * BATTERY_MAX_SOC

        self.pv_generation = 0.0
        self.consumption = 0.0
        self.imbalance = 0.0

        self.balance = 0.0
        self.bonus = 0.0
        self.penalties = 0.0
        self.renewable_usage = 0.0
        self.total_p2p_trades = 0
        self.total_market_trades = 0

        self.is_banned = False
        self.ban_duration = 0
        self.reason_for_ban = ""

        self.reset_trading_state()

    def reset_trading_state(self):
        self.is_buyer = False
        self.is_seller = False
        self.sells_from_battery = False
        self.desired_quantity = 0.0
        self.original_desired_quantity = 0.0
        self.bid_price = 0.0
        self.ask_price = 0.0
        # this hour's flows [kWh] and counts
        self.battery_charge = 0.0  # energy taken in (before losses)
        self.battery_discharge = 0.0  # energy delivered (after losses), home or sale
        self.renewable_used = 0.0
        self.p2p_bought = 0.0
        self.p2p_sold = 0.0
        self.market_bought = 0.0
        self.market_sold = 0.0
        self.p2p_trades = 0
        self.market_trades = 0
        self.hour_bonus = 0.0
        self.hour_penalty = 0.0
        self.imbalance_after_battery = 0.0
        self.imbalance_after_p2p = 0.0

    def update_energy_state(self, pv_generation, consumption):
        self.pv_generation = pv_generation
        self.consumption = consumption
        self.imbalance = pv_generation - consumption
        self.renewable_used = min(pv_generation, consumption)

        if self.imbalance > 0 and self.battery_capacity > 0 and self.battery_level < self.max_level:
            max_storable = (self.max_level - self.battery_level) / BATTERY_EFFICIENCY
            charge_energy = min(self.imbalance, max_storable)
            self.battery_level = min(
                self.max_level, self.battery_level + charge_energy * BATTERY_EFFICIENCY
            )
            self.imbalance -= charge_energy
            self.battery_charge += charge_energy
        elif (
            self.imbalance < 0 and self.battery_capacity > 0 and self.battery_level > self.min_level
        ):
            deficit = -self.imbalance
            available = self.battery_level - self.min_level
            discharge_energy = min(deficit / BATTERY_EFFICIENCY, available)
            delivered = discharge_energy * BATTERY_EFFICIENCY
            self.battery_level = max(self.min_level, self.battery_level - discharge_energy)
            self.imbalance += delivered
            self.battery_discharge += delivered
            self.renewable_used += delivered

        self.renewable_usage += self.renewable_used
        self.imbalance_after_battery = self.imbalance

    def prepare_trading_offer(self, price_forecast, local_market_fee, max_trade_cap):
        if self.is_banned:
            return
        grid_buy_price = price_forecast + local_market_fee
        grid_sell_price = price_forecast - local_market_fee
        spread = grid_buy_price - grid_sell_price

        if self.imbalance > DEAD_BAND:
            self.is_seller = True
            self.desired_quantity = min(self.imbalance, max_trade_cap)
            urgency = self.desired_quantity / max_trade_cap
            ask = (grid_sell_price + urgency * spread) * self.rng.uniform(0.98, 1.05)
            ask = max(ask, grid_sell_price * 1.01)
            ask = min(ask, grid_buy_price * 0.95)
            self.ask_price = ask
        elif self.imbalance < -DEAD_BAND:
            self.is_buyer = True
            self.desired_quantity = min(-self.imbalance, max_trade_cap)
            urgency = self.desired_quantity / max_trade_cap
            bid = (grid_buy_price - 0.5 * urgency * spread) * self.rng.uniform(0.97, 1.01)
            bid = max(bid, grid_sell_price * 1.05)
            bid = min(bid, grid_buy_price * 0.99)
            self.bid_price = bid
        self.original_desired_quantity = self.desired_quantity

    def available_battery_energy(self):
        """Energy the battery can still deliver above its lower bound [kWh, after losses]."""
        if self.battery_capacity <= 0:
            return 0.0
        return max(0.0, self.battery_level - self.min_level) * BATTERY_EFFICIENCY

    def becomes_seller(self, offered_quantity, price_forecast, local_market_fee, max_trade_cap):
        grid_buy_price = price_forecast + local_market_fee
        grid_sell_price = price_forecast - local_market_fee
        spread = grid_buy_price - grid_sell_price
        urgency = offered_quantity / max_trade_cap
        ask = ((grid_sell_price + price_forecast) / 2 + 0.3 * urgency * spread) * self.rng.uniform(
            0.95, 1.00
        )
        ask = max(ask, grid_sell_price * 1.03)
        ask = min(ask, grid_buy_price * 0.85)
        self.is_seller = True
        self.sells_from_battery = True
        self.desired_quantity = offered_quantity
        self.original_desired_quantity = offered_quantity
        self.ask_price = ask

    def accept_trade(self, quantity, price, is_buyer_role, is_p2p):
        if is_buyer_role:
            self.imbalance += quantity
            self.balance -= quantity * price
            if is_p2p:
                self.p2p_bought += quantity
            else:
                self.market_bought += quantity
        else:
            if is_p2p and self.sells_from_battery:
                withdrawn = quantity / BATTERY_EFFICIENCY
                self.battery_level = max(self.min_level, self.battery_level - withdrawn)
                self.battery_discharge += quantity
            else:
                self.imbalance -= quantity
            self.balance += quantity * price
            if is_p2p:
                self.p2p_sold += quantity
            else:
                self.market_sold += quantity
        if is_p2p:
            self.desired_quantity -= quantity
            if self.desired_quantity < EPS:
                self.desired_quantity = 0.0
            self.p2p_trades += 1
            self.total_p2p_trades += 1
        else:
            self.market_trades += 1
            self.total_market_trades += 1


# --- blockchain.py --------------------------------------------------------------------------
class Block:
    def __init__(self, index, timestamp, transactions, previous_hash):
        self.index = index
        self.timestamp = timestamp
        self.transactions = transactions
        self.previous_hash = previous_hash
        self.nonce = 0
        self.miner_id = None
        self.hash = self.calculate_hash()

    def calculate_hash(self):
        block_dict = {
            "index": self.index,
            "timestamp": self.timestamp,
            "transactions": self.transactions,
            "previous_hash": self.previous_hash,
            "nonce": self.nonce,
        }
        block_string = json.dumps(block_dict, sort_keys=True)
        return hashlib.sha256(block_string.encode()).hexdigest()


class Miner:
    def __init__(self, miner_id):
        self.id = miner_id
        self.blocks_mined = 0
        self.total_rewards = 0.0
        self.hashes_tried = 0

    def mine_block(self, block, difficulty):
        target = "0" * difficulty
        for nonce in range(MAX_NONCE_ATTEMPTS):
            block.nonce = nonce
            block.hash = block.calculate_hash()
            if block.hash.startswith(target):
                self.hashes_tried += nonce + 1
                block.miner_id = self.id
                return block
        self.hashes_tried += MAX_NONCE_ATTEMPTS
        return None


class Blockchain:
    def __init__(self, difficulty, num_miners, rng, drain_mempool=True):
        self.difficulty = difficulty
        self.rng = rng
        self.drain_mempool = drain_mempool
        self.miners = [Miner(i) for i in range(num_miners)]
        self.pending_transactions = []
        self.chain = [Block(0, 0, [], "0")]

    def add_transaction(self, transaction):
        self.pending_transactions.append(transaction)

    def mine_pending_transactions(self, timestamp):
        while self.pending_transactions:
            transactions = self.pending_transactions[:MAX_TRANSACTIONS_PER_BLOCK]
            block = Block(len(self.chain), timestamp, transactions, self.chain[-1].hash)
            miner = self.rng.choice(self.miners)
            if miner.mine_block(block, self.difficulty) is None:
                raise RuntimeError(f"miner {miner.id} found no nonce for block {block.index}")
            self.chain.append(block)
            miner.blocks_mined += 1
            miner.total_rewards += BLOCK_REWARD
            self.pending_transactions = self.pending_transactions[MAX_TRANSACTIONS_PER_BLOCK:]
            if not self.drain_mempool:
                break

    def is_chain_valid(self):
        target = "0" * self.difficulty
        for i in range(1, len(self.chain)):
            block = self.chain[i]
            if block.hash != block.calculate_hash():
                return False
            if block.previous_hash != self.chain[i - 1].hash:
                return False
            if not block.hash.startswith(target):
                return False
        return True


# --- regulator.py ---------------------------------------------------------------------------
class Regulator:
    def __init__(self):
        self.total_incentives = 0.0
        self.total_penalties = 0.0
        self.ban_history = {}  # (prosumer id, reason) -> timestep of the last ban

    def update_prosumer_bans(self, prosumers):
        for prosumer in prosumers:
            if prosumer.is_banned:
                prosumer.ban_duration -= 1
                if prosumer.ban_duration <= 0:
                    prosumer.is_banned = False
                    prosumer.ban_duration = 0
                    prosumer.reason_for_ban = ""

    def incentivize_renewable_usage(self, prosumers):
        for prosumer in prosumers:
            bonus = prosumer.renewable_used * RENEWABLE_BONUS
            bonus += (prosumer.p2p_bought + prosumer.p2p_sold) * P2P_BONUS
            penalty = (prosumer.market_bought + prosumer.market_sold) * PENALTY_FOR_MARKET
            prosumer.hour_bonus = bonus
            prosumer.hour_penalty = penalty
            prosumer.bonus += bonus
            prosumer.penalties += penalty
            prosumer.balance += bonus - penalty
            self.total_incentives += bonus
            self.total_penalties += penalty

    def _ban(self, prosumer, reason, duration, timestep):
        last = self.ban_history.get((prosumer.id, reason))
        if last is not None and timestep - last < REBAN_WINDOW:
            return
        prosumer.is_banned = True
        prosumer.ban_duration = duration
        prosumer.reason_for_ban = reason
        self.ban_history[(prosumer.id, reason)] = timestep

    def enforce_rules(self, prosumers, timestep):
        for prosumer in prosumers:
            if prosumer.is_banned:
                continue
            if prosumer.penalties > BAN_PENALTY_THRESHOLD and prosumer.bonus < BAN_BONUS_THRESHOLD:
                self._ban(prosumer, "excessive_market_usage", BAN_MARKET_DURATION, timestep)
            elif prosumer.balance < BAN_BALANCE_THRESHOLD:
                self._ban(prosumer, "negative_balance", BAN_BALANCE_DURATION, timestep)


# --- simulator.py ---------------------------------------------------------------------------
class NaiveCommunity:
    """The original simulator's hourly loop, ported naively. See the module docstring."""

    def __init__(
        self,
        n_prosumers=NUM_PROSUMERS,
        seed=42,
        chain=True,
        difficulty=DIFFICULTY_TARGET,
        drain_mempool=True,
        fee_scales_with_quantity=False,
    ):
        self.rng = random.Random(seed)
        self.fee_scales_with_quantity = fee_scales_with_quantity
        self.prosumers = []
        for i in range(n_prosumers):
            home_type = self.rng.randrange(len(PV_CAPACITY))
            battery = BATTERY_CAPACITY[home_type] if self.rng.random() < HAS_BATTERY else 0.0
            self.prosumers.append(
                Prosumer(i, PV_CAPACITY[home_type], BASE_CONSUMPTION[home_type], battery, self.rng)
            )
        self.blockchain = (
            Blockchain(difficulty, NUM_MINERS, random.Random(seed + 1), drain_mempool)
            if chain
            else None
        )
        self.regulator = Regulator()
        self.timestep = 0
        self.trade_counter = 0
        # the five CSV files of the original, as rows in memory
        self.energy_rows = []
        self.trading_rows = []
        self.trade_rows = []
        self.regulator_rows = []
        self.summary_rows = []

    # -- trading.py: P2PTradingMechanism ---------------------------------------------------
    def balance_trading_offers(self, price_forecast):
        total_demand = 0.0
        total_supply = 0.0
        for prosumer in self.prosumers:
            if prosumer.is_buyer:
                total_demand += prosumer.desired_quantity
            elif prosumer.is_seller:
                total_supply += prosumer.desired_quantity
        if total_demand <= total_supply + IMBALANCE_THRESHOLD:
            return
        shortfall = total_demand - total_supply
        candidates = [
            p
            for p in self.prosumers
            if p.battery_capacity > 0 and not p.is_banned and not p.is_buyer and not p.is_seller
        ]
        candidates.sort(key=lambda p: p.available_battery_energy(), reverse=True)
        for prosumer in candidates:
            if shortfall <= EPS:
                break
            offered = min(
                ARBITRAGE_SHARE * prosumer.available_battery_energy(), shortfall, MAX_TRADE_CAP
            )
            if offered <= DEAD_BAND:
                break
            prosumer.becomes_seller(offered, price_forecast, LOCAL_MARKET_FEE, MAX_TRADE_CAP)
            shortfall -= offered

    def record_trade(self, kind, buyer_id, seller_id, quantity, price):
        transaction = {
            "trade_id": self.trade_counter,
            "timestamp": self.timestep,
            "type": kind,
            "buyer_id": buyer_id,
            "seller_id": seller_id,
            "quantity": quantity,
            "price": price,
        }
        self.trade_counter += 1
        self.trade_rows.append(transaction)
        if self.blockchain is not None:
            self.blockchain.add_transaction(transaction)

    def execute_p2p_trading(self):
        buyers = [p for p in self.prosumers if p.is_buyer and p.desired_quantity > 0]
        sellers = [p for p in self.prosumers if p.is_seller and p.desired_quantity > 0]
        buyers.sort(key=lambda p: p.bid_price, reverse=True)
        sellers.sort(key=lambda p: p.ask_price)
        trades = 0
        for buyer in buyers:
            for seller in sellers:
                if buyer.desired_quantity <= 0:
                    break
                if seller.desired_quantity <= 0:
                    continue
                if buyer.bid_price >= seller.ask_price:
                    trade_quantity = min(buyer.desired_quantity, seller.desired_quantity)
                    trade_price = (buyer.bid_price + seller.ask_price) / 2
                    buyer.accept_trade(trade_quantity, trade_price, True, True)
                    seller.accept_trade(trade_quantity, trade_price, False, True)
                    self.record_trade("p2p", buyer.id, seller.id, trade_quantity, trade_price)
                    trades += 1
        for prosumer in self.prosumers:
            prosumer.imbalance_after_p2p = prosumer.imbalance
        return trades

    # -- trading.py: LocalMarketMechanism --------------------------------------------------
    def execute_local_market(self, market_price):
        trades = 0
        for prosumer in self.prosumers:
            if prosumer.imbalance > EPS:
                quantity = prosumer.imbalance
                fee = LOCAL_MARKET_FEE * (quantity if self.fee_scales_with_quantity else 1.0)
                price = market_price - fee
                prosumer.accept_trade(quantity, price, False, False)
                prosumer.imbalance = 0.0
                self.record_trade("market", AGGREGATOR, prosumer.id, quantity, price)
                trades += 1
            elif prosumer.imbalance < -EPS:
                quantity = -prosumer.imbalance
                fee = LOCAL_MARKET_FEE * (quantity if self.fee_scales_with_quantity else 1.0)
                price = market_price + fee
                prosumer.accept_trade(quantity, price, True, False)
                prosumer.imbalance = 0.0
                self.record_trade("market", prosumer.id, AGGREGATOR, quantity, price)
                trades += 1
        return trades

    # -- simulator.py ----------------------------------------------------------------------
    def simulate_timestep(self):
        hour = self.timestep % 24
        price = forecast_price(self.rng, hour, BASE_PRICE)

        # 1. energy
        for prosumer in self.prosumers:
            pv = generate_pv_generation(self.rng, hour, prosumer.pv_capacity)
            load = generate_consumption(self.rng, hour, prosumer.base_consumption)
            prosumer.update_energy_state(pv, load)
        # 2. offers
        for prosumer in self.prosumers:
            prosumer.prepare_trading_offer(price, LOCAL_MARKET_FEE, MAX_TRADE_CAP)
        # 3. battery arbitrage
        self.balance_trading_offers(price)
        # 4. P2P
        p2p_trades = self.execute_p2p_trading()
        # 5. local market
        market_trades = self.execute_local_market(price)
        # 6. chain
        if self.blockchain is not None:
            self.blockchain.mine_pending_transactions(self.timestep)
        # 7. regulator
        self.regulator.update_prosumer_bans(self.prosumers)
        self.regulator.incentivize_renewable_usage(self.prosumers)
        self.regulator.enforce_rules(self.prosumers, self.timestep)
        # 8. logging
        self._log_timestep(price, p2p_trades, market_trades)
        # 9. reset
        for prosumer in self.prosumers:
            prosumer.reset_trading_state()
        self.timestep += 1

    def _log_timestep(self, price, p2p_trades, market_trades):
        t = self.timestep
        total_pv = total_load = 0.0
        buyers = sellers = banned = 0
        for p in self.prosumers:
            soc = p.battery_level / p.battery_capacity if p.battery_capacity > 0 else 0.0
            self.energy_rows.append(
                {
                    "Timestep": t,
                    "Prosumer_ID": p.id,
                    "PV_Generation_kWh": p.pv_generation,
                    "Consumption_kWh": p.consumption,
                    "Battery_Charge_kWh": p.battery_charge,
                    "Battery_Discharge_kWh": p.battery_discharge,
                    "Battery_Level_kWh": p.battery_level,
                    "Battery_SOC": soc,
                    "Imbalance_After_Battery_kWh": p.imbalance_after_battery,
                    "Imbalance_After_P2P_kWh": p.imbalance_after_p2p,
                    "Imbalance_After_Market_kWh": p.imbalance,
                    "P2P_Bought_kWh": p.p2p_bought,
                    "P2P_Sold_kWh": p.p2p_sold,
                    "Market_Bought_kWh": p.market_bought,
                    "Market_Sold_kWh": p.market_sold,
                    "Balance_EUR": p.balance,
                }
            )
            role = "buyer" if p.is_buyer else "seller" if p.is_seller else "neutral"
            self.trading_rows.append(
                {
                    "Timestep": t,
                    "Prosumer_ID": p.id,
                    "Role": role,
                    "From_Battery": p.sells_from_battery,
                    "Desired_Quantity_kWh": p.original_desired_quantity,
                    "Remaining_Quantity_kWh": p.desired_quantity,
                    "Bid_Price": p.bid_price,
                    "Ask_Price": p.ask_price,
                    "Price_Forecast": price,
                    "P2P_Trades": p.p2p_trades,
                    "Market_Trades": p.market_trades,
                    "Total_P2P_Trades": p.total_p2p_trades,
                    "Total_Market_Trades": p.total_market_trades,
                }
            )
            self.regulator_rows.append(
                {
                    "Timestep": t,
                    "Prosumer_ID": p.id,
                    "Bonus_EUR": p.hour_bonus,
                    "Penalty_EUR": p.hour_penalty,
                    "Total_Bonus_EUR": p.bonus,
                    "Total_Penalties_EUR": p.penalties,
                    "Renewable_Usage_kWh": p.renewable_usage,
                    "Is_Banned": p.is_banned,
                    "Ban_Duration": p.ban_duration,
                    "Ban_Reason": p.reason_for_ban,
                }
            )
            total_pv += p.pv_generation
            total_load += p.consumption
            buyers += p.is_buyer
            sellers += p.is_seller
            banned += p.is_banned
        self.summary_rows.append(
            {
                "Timestep": t,
                "Price_Forecast": price,
                "Total_PV_kWh": total_pv,
                "Total_Consumption_kWh": total_load,
                "P2P_Trades": p2p_trades,
                "Market_Trades": market_trades,
                "Active_Buyers": buyers,
                "Active_Sellers": sellers,
                "Banned": banned,
                "Blocks": len(self.blockchain.chain) - 1 if self.blockchain else 0,
                "Pending_Transactions": (
                    len(self.blockchain.pending_transactions) if self.blockchain else 0
                ),
            }
        )

    def run(self, hours=TIME_STEPS):
        """Simulate ``hours`` hours; return summary figures of the whole run so far."""
        for _ in range(hours):
            self.simulate_timestep()
        return self.summary()

    def summary(self):
        p2p = [t for t in self.trade_rows if t["type"] == "p2p"]
        market = [t for t in self.trade_rows if t["type"] == "market"]
        chain = self.blockchain
        return {
            "prosumers": len(self.prosumers),
            "hours": self.timestep,
            "pv_kwh": sum(r["PV_Generation_kWh"] for r in self.energy_rows),
            "load_kwh": sum(r["Consumption_kWh"] for r in self.energy_rows),
            "p2p_kwh": sum(t["quantity"] for t in p2p),
            "p2p_trades": len(p2p),
            "market_kwh": sum(t["quantity"] for t in market),
            "market_trades": len(market),
            "blocks_mined": len(chain.chain) - 1 if chain else 0,
            "hashes_tried": sum(m.hashes_tried for m in chain.miners) if chain else 0,
            "pending_transactions": len(chain.pending_transactions) if chain else 0,
            "chain_valid": chain.is_chain_valid() if chain else None,
        }

    def write_csv(self, directory):
        """Write the original's five CSV files (not part of any timed run)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        files = {
            "prosumer_energy.csv": self.energy_rows,
            "prosumer_trading.csv": self.trading_rows,
            "all_trades.csv": self.trade_rows,
            "regulator_actions.csv": self.regulator_rows,
            "community_summary.csv": self.summary_rows,
        }
        for name, rows in files.items():
            with open(directory / name, "w", newline="") as handle:
                if not rows:
                    continue
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prosumers", type=int, default=NUM_PROSUMERS)
    parser.add_argument("--hours", type=int, default=TIME_STEPS)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--difficulty", type=int, default=DIFFICULTY_TARGET)
    parser.add_argument("--no-chain", action="store_true")
    parser.add_argument("--one-block-per-hour", action="store_true")
    parser.add_argument("--csv", metavar="DIR", help="write the five CSV files (after timing)")
    args = parser.parse_args(argv)

    community = NaiveCommunity(
        args.prosumers,
        seed=args.seed,
        chain=not args.no_chain,
        difficulty=args.difficulty,
        drain_mempool=not args.one_block_per_hour,
    )
    start = time.perf_counter()
    figures = community.run(args.hours)
    seconds = time.perf_counter() - start
    chain = "off" if args.no_chain else f"on, difficulty {args.difficulty}"
    print(f"naive original: {args.prosumers} x {args.hours} h, chain {chain}: {seconds:.3f} s")
    for key, value in figures.items():
        print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    if args.csv:
        community.write_csv(args.csv)
    return seconds, figures


if __name__ == "__main__":
    main()
