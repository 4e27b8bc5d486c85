import Testing

@testable import Runtime

/// Reading Redis's `INFO` for `Benchmarks redis` and capacity planning.
struct RedisServerLoadTests {
    @Test func commandsAreSummedAndTheMainThreadsCPUIsPreferred() {
        let info = """
            # CPU\r
            used_cpu_sys:10.5\r
            used_cpu_user:20.25\r
            used_cpu_sys_main_thread:3.5\r
            used_cpu_user_main_thread:6.0\r
            # Commandstats\r
            cmdstat_evalsha:calls=7,usec=70,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r
            cmdstat_hset:calls=30,usec=15,usec_per_call=0.50,rejected_calls=0,failed_calls=0\r
            """
        let load = RedisServerLoad(info: info)
        #expect(load == RedisServerLoad(commands: 37, cpuSeconds: 9.5))
        #expect(
            load.since(RedisServerLoad(commands: 7, cpuSeconds: 1.5)) == RedisServerLoad(commands: 30, cpuSeconds: 8))
        // Servers before 6.2 report only the process's CPU.
        #expect(RedisServerLoad(info: "used_cpu_sys:1\nused_cpu_user:2\n").cpuSeconds == 3)
    }
}
