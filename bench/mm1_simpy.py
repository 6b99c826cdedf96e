#!/usr/bin/env python3
"""M/M/1 (rho = 0.8) in SimPy, the peer of bench/mm1.ts, two ways:
- "resource": the idiomatic SimPy model (a process per customer, a Resource server);
- "lean": one source process and one server process sharing a deque, the
  closest SimPy equivalent of syncsim's event-target model.
Usage: mm1_simpy.py [CUSTOMERS [RUNS]]. Each variant runs RUNS times (seeds
1..RUNS, default 3); prints one JSON line per variant for its median run:
customers, seconds, customers/s, mean sojourn (us)."""
import collections, json, random, sys, time
import simpy

def resource_model(customers, rho, service_us, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    total = [0.0]
    def customer(env):
        t0 = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1.0 / service_us))
        total[0] += env.now - t0
    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.expovariate(rho / service_us))
            env.process(customer(env))
    env.process(source(env))
    env.run()
    return total[0] / customers

def lean_model(customers, rho, service_us, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    queue = collections.deque()
    state = {"wake": env.event(), "done": 0, "total": 0.0}
    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.expovariate(rho / service_us))
            queue.append(env.now)
            if not state["wake"].triggered:
                state["wake"].succeed()
    def server(env):
        while state["done"] < customers:
            if not queue:
                state["wake"] = env.event()
                yield state["wake"]
            yield env.timeout(rng.expovariate(1.0 / service_us))
            state["total"] += env.now - queue.popleft()
            state["done"] += 1
    env.process(source(env))
    env.process(server(env))
    env.run()
    return state["total"] / customers

if __name__ == "__main__":
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for name, model in (("resource", resource_model), ("lean", lean_model)):
        runs = []
        for seed in range(1, reps + 1):
            t0 = time.perf_counter()
            mean = model(customers, 0.8, 100.0, seed)
            runs.append((time.perf_counter() - t0, mean))
        s, mean = sorted(runs)[len(runs) // 2]  # the median run, as bench/run.ts takes for syncsim
        print(json.dumps({"variant": name, "customers": customers, "runs": reps, "seconds": s, "customers_per_s": customers / s, "mean_sojourn_us": mean}), flush=True)
