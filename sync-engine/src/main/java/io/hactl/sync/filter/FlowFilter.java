package io.hactl.sync.filter;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.util.List;
import java.util.Set;

/**
 * Which kernel flows are replicated. A flow is kept when its protocol is accepted, neither
 * address of its original direction lies in an ignored prefix (the gateways' own and sync-link
 * addresses, loopback: traffic of the firewall itself), and, for TCP, its state is accepted.
 * The reply direction is deliberately not checked: a forwarded flow SNATed to the gateway's own
 * address must still be replicated.
 *
 * @param protocols  accepted IP protocol numbers; empty accepts all
 * @param ignore     prefixes whose flows are not replicated
 * @param tcpStates  accepted TCP states (TcpInfo constants); empty accepts all
 */
public record FlowFilter(Set<Integer> protocols, List<Cidr> ignore, Set<Integer> tcpStates) {
    public static final FlowFilter ACCEPT_ALL = new FlowFilter(Set.of(), List.of(), Set.of());

    public FlowFilter {
        protocols = Set.copyOf(protocols);
        ignore = List.copyOf(ignore);
        tcpStates = Set.copyOf(tcpStates);
    }

    public boolean accepts(Flow f) {
        Tuple o = f.orig();
        if (!protocols.isEmpty() && !protocols.contains(o.protocol())) {
            return false;
        }
        if (!ignore.isEmpty()) {
            byte[] src = o.src().getAddress(); // copies: once per flow, not once per prefix
            byte[] dst = o.dst().getAddress();
            for (Cidr c : ignore) {
                if (c.contains(src) || c.contains(dst)) {
                    return false;
                }
            }
        }
        if (!tcpStates.isEmpty() && o.protocol() == Tuple.TCP) {
            TcpInfo t = f.tcp();
            return t != null && tcpStates.contains(t.state());
        }
        return true;
    }
}
