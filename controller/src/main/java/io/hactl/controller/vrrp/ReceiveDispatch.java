package io.hactl.controller.vrrp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a received datagram goes: through the {@link ReceiveCheck} of its interface and family
 * (one per link, shared by the members there; drops counted by {@link DropReason}), then to the
 * member with the advertisement's VRID. A datagram on an interface or family without members is
 * counted as unmatched. Owned by the loop thread.
 */
final class ReceiveDispatch {
    /** Receive checks by interface and family. */
    private final Map<String, ReceiveCheck> checks = new LinkedHashMap<>();
    /** Members by interface, family and VRID. */
    private final Map<String, Member> routers = new HashMap<>();
    private final LongSupplier nanos;
    private long unmatched;

    /** Routes to {@code members}; the checks run on {@code nanos}. */
    ReceiveDispatch(List<Member> members, LongSupplier nanos) {
        this.nanos = nanos;
        Map<String, List<InstanceConfig>> byLink = new LinkedHashMap<>();
        for (Member m : members) {
            RouterConfig r = m.router;
            routers.put(link(r.interfaceName(), r.family()) + " " + r.vrid(), m);
            byLink.computeIfAbsent(link(r.interfaceName(), r.family()), k -> new ArrayList<>()).add(m.instance);
        }
        for (Map.Entry<String, List<InstanceConfig>> e : byLink.entrySet()) {
            RouterConfig first = routers.get(e.getKey() + " " + e.getValue().get(0).vrid()).router;
            checks.put(e.getKey(), new ReceiveCheck(first.interfaceName(), first.family(), e.getValue(),
                    new ReceiveCounters(), nanos));
        }
    }

    private static String link(String iface, IpFamily family) {
        return iface + " " + family;
    }

    /** A datagram received on {@code iface} now: checked, and handed to its member if accepted. */
    void receive(String iface, IpHeader header, byte[] message) {
        receive(iface, header, message, nanos.getAsLong());
    }

    /** As {@link #receive(String, IpHeader, byte[])}, received at {@code receivedAt} (the loop's clock). */
    void receive(String iface, IpHeader header, byte[] message, long receivedAt) {
        ReceiveCheck check = checks.get(link(iface, header.family()));
        if (check == null) {
            unmatched++;
            return;
        }
        ReceiveVerdict v = check.check(header, message);
        if (v.accepted()) {
            routers.get(link(iface, header.family()) + " " + v.advert().vrid()).vrrp.onAdvert(v.advert(),
                    header.source(), receivedAt);
        }
    }

    /** A datagram that matched no link before it was checked (an IP header of mixed families). */
    void unmatched() {
        unmatched++;
    }

    /** Datagrams received on an interface or family without members. */
    long unmatchedCount() {
        return unmatched;
    }

    /** The check (and its drop counters) of {@code router}'s link. */
    ReceiveCheck check(RouterConfig router) {
        return checks.get(link(router.interfaceName(), router.family()));
    }
}
