package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.ip;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts a {@link VrrpController} is made of, built by hand on a {@link ManualLoop} over a
 * {@link FakeVrrpIo}, for the tests of one part: members LAN (lan, VRID 61) and WAN (wan,
 * VRID 62), 100 ms adverts, 3 announcement rounds 100 ms apart, a commit budget of 2 s.
 */
final class Parts {
    static final RouterConfig LAN = new RouterConfig("LAN", "lan", 61, 200,
            List.of(new VirtualAddress(ip("10.10.0.1"), 24)), List.of());
    static final RouterConfig WAN = new RouterConfig("WAN", "wan", 62, 200,
            List.of(new VirtualAddress(ip("10.20.0.1"), 24)), List.of());
    static final VrrpConfig CONFIG = new VrrpConfig(Duration.ofMillis(100), true, Duration.ZERO, ChecksumMode.RFC,
            3, Duration.ofMillis(100), Duration.ofSeconds(2), List.of(LAN, WAN));

    final ManualLoop loop = new ManualLoop();
    final List<String> calls = new ArrayList<>();
    final FakeVrrpIo io = new FakeVrrpIo("fw1", loop, Map.of("lan", ip("192.0.2.1"), "wan", ip("198.51.100.1")),
            calls);
    final IoFailures failures = new IoFailures("fw1", loop::nanoTime);
    final List<Member> members = new ArrayList<>();

    Parts() {
        for (RouterConfig r : CONFIG.instances()) {
            members.add(new Member(r, r.instance(CONFIG, io.primaryAddress(r)), io, failures, loop::nanoTime));
        }
    }

    Member lan() {
        return members.get(0);
    }

    Member wan() {
        return members.get(1);
    }
}
