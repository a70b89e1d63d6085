"""`make bench` (`python -m benchmarks`): throughput against the bare reference on equal terms
(both workers in their own processes, without the sandbox as in production; then a second pair
of rounds with both sandboxed), what each lifecycle spends (CPU, history, billable actions),
latency at half the measured throughput, cost per delivered shipment. Each figure is measured
in this one run beside its reference, on one stack (dev server, PostgreSQL ledger,
Twilio/SendGrid fakes).
Writes `.waypost/bench/<timestamp>.json|md` and `latest.json|md`; the last line printed is a
one-line summary."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from api.serve import running_api
from benchmarks.cost import demo_costs, ledger_messages, summarize
from benchmarks.latency import run_latency
from benchmarks.page import QueryCounter, counting_client, view_pages
from benchmarks.report import (
    ACTION_PRICE_PER_MILLION,
    BenchReport,
    Cost,
    FlowCost,
    Throughput,
    summary_line,
)
from benchmarks.stack import cancel_on_sigterm, echo, environment, open_stack, run_and_report
from benchmarks.throughput import FLOW, SHOP, run_throughput, worker_pair
from infra.collector import tune_collector
from infra.logs import configure_logging


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "-n",
        type=int,
        default=500,
        help="lifecycles per throughput round (long enough to be steady)",
    )
    parser.add_argument("--concurrency", type=int, default=50, help="lifecycles in flight")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (alternating)")
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=30,
        help="how long the latency load runs (events = rate x seconds)",
    )
    parser.add_argument(
        "--latency-rate",
        type=float,
        help="events per second for the latency run (default: half the measured throughput)",
    )
    parser.add_argument("--latency-count", type=int, help="events for the latency run")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo flows' cost")
    parser.add_argument(
        "--page-views", type=int, default=200, help="tracking page views of running shipments"
    )
    parser.add_argument(
        "--page-rate", type=float, default=20.0, help="tracking page views per second"
    )
    parser.add_argument(
        "--no-sandboxed", action="store_true", help="skip the second pair (both sandboxed)"
    )
    parser.add_argument(
        "--histories", type=int, default=20, help="histories read back per design and pair"
    )
    parser.add_argument(
        "--action-price",
        type=float,
        default=ACTION_PRICE_PER_MILLION,
        help="Temporal Cloud dollars per million actions",
    )
    parser.add_argument(
        "--out", type=Path, help="report folder (default: <WAYPOST_HOME>/bench, .waypost/bench)"
    )
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> BenchReport:
    configure_logging("WARNING", "console")
    cancel_on_sigterm()
    started_at = datetime.now(UTC)
    began = time.monotonic()
    echo("starting the stack: dev server, PostgreSQL database, Twilio and SendGrid fakes")
    async with open_stack() as stack:
        runners = "both unsandboxed (equal terms)" + (
            "" if args.no_sandboxed else ", then both sandboxed"
        )
        env = environment(stack, {"workflow sandbox": runners})
        echo(", ".join(f"{k}: {v}" for k, v in env.items()))
        # The measuring client (and the HTTP service under test, later) as the services are:
        # a full collection here would stop the clock's own loop.
        tune_collector()
        echo(
            f"throughput: {args.n} lifecycles per round, concurrency {args.concurrency}, "
            f"{args.rounds} rounds, each worker in its own process"
        )
        async with worker_pair(stack, sandbox=False) as workers:
            throughput = await run_throughput(
                stack,
                workers,
                n=args.n,
                concurrency=args.concurrency,
                rounds=args.rounds,
                histories=args.histories,
            )
            echo_pair(throughput, args.rounds)
            cost = summarize(
                f"Throughput run ({FLOW})",
                list(ledger_messages(stack.database_url, shop_id=SHOP).values()),
            )
            echo(f"cost: {cost.brief()} ({cost.delivered} shipments)")

            if args.latency_rate:
                rate, basis = args.latency_rate, "--latency-rate"
            else:
                rate = throughput.best_waypost / 2
                basis = f"half the measured {throughput.best_waypost:.1f} lifecycles/s"
            count = args.latency_count or max(20, round(rate * args.latency_seconds))
            queries = QueryCounter()
            async with running_api(stack.settings, counting_client(stack.client, queries)) as url:
                latency, running = await run_latency(
                    stack, url, rate=rate, rate_basis=basis, count=count
                )
                page = await view_pages(
                    stack,
                    url,
                    running,
                    counter=queries,
                    worker=workers.waypost,
                    rate=args.page_rate,
                    views=args.page_views,
                )

            demo: tuple[FlowCost, ...] = ()
            demo_cost: Cost | None = None
            if not args.no_demo:
                echo("cost: the demo's eight flows (about half a minute: real timers)")
                demo, demo_cost = await demo_costs(stack)
                echo(
                    f"  {demo_cost.brief()} (the {demo_cost.delivered} of "
                    f"{demo_cost.shipments} flows that end delivered)"
                )
        sandboxed: Throughput | None = None
        if not args.no_sandboxed:
            echo("throughput again, both workers in Temporal's sandbox")
            async with worker_pair(stack, sandbox=True) as workers:
                sandboxed = await run_throughput(
                    stack,
                    workers,
                    n=args.n,
                    concurrency=args.concurrency,
                    rounds=args.rounds,
                    histories=args.histories,
                )
            echo_pair(sandboxed, args.rounds)
    return BenchReport(
        started_at=started_at.isoformat(timespec="seconds"),
        seconds=time.monotonic() - began,
        environment=env,
        throughput=throughput,
        latency=latency,
        cost=cost,
        demo=demo,
        demo_cost=demo_cost,
        sandboxed=sandboxed,
        action_price_per_million=args.action_price,
        page=page,
    )


def echo_pair(t: Throughput, rounds: int) -> None:
    echo(
        f"  ratio {t.ratio:.2f} {t.runner} (waypost {t.best_waypost:.1f}/s, "
        f"bare {t.best_bare:.1f}/s, best of {rounds})"
    )
    for label, u in (("waypost", t.waypost_usage), ("bare", t.bare_usage)):
        if u is not None:
            echo(
                f"  {label:<8} per lifecycle: worker cpu {u.worker_cpu_ms:.1f} ms, dev server "
                f"{u.server_cpu_ms:.1f} ms, postgres {u.postgres_cpu_ms or 0:.1f} ms, "
                f"{u.history_events:.0f} events, {u.history_bytes:.0f} B history, "
                f"{u.actions_total:.1f} actions"
            )


def cli(argv: list[str] | None = None) -> None:
    """Run, report, and leave (see benchmarks.stack.run_and_report)."""
    args = parse_args(argv)
    run_and_report(lambda: main(args), args.out, "", summary_line)


if __name__ == "__main__":
    cli()
