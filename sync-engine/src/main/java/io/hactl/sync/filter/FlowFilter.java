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
        // getAddress copies: only with prefixes to test, and once per flow, not once per prefix
        boolean prefixes = !ignore.isEmpty();
        TcpInfo t = f.tcp();
        return accepts(o.protocol(), prefixes ? o.src().getAddress() : null, prefixes ? o.dst().getAddress() : null,
                t == null ? -1 : t.state());
    }

    /**
     * What {@link #accepts} decides from the original direction alone: the protocol and both
     * addresses (network byte order). For a flow whose state {@link #checksTcpState} does not
     * look at, this is the whole verdict: a cache can filter its encodings without decoding them.
     */
    public boolean acceptsEndpoints(int protocol, byte[] src, byte[] dst) {
        return acceptsProtocol(protocol) && !ignores(src, dst);
    }

    /**
     * {@link #accepts} from the fields it reads, as a raw message gives them: {@code src} and
     * {@code dst} may be null when no prefix is ignored; {@code tcpState} is -1 when absent.
     */
    public boolean accepts(int protocol, byte[] src, byte[] dst, int tcpState) {
        if (!acceptsProtocol(protocol) || !ignore.isEmpty() && ignores(src, dst)) {
            return false;
        }
        return !checksTcpState(protocol) || tcpState >= 0 && tcpStates.contains(tcpState);
    }

    /** Whether flows of {@code protocol} are replicated; with no ignored prefixes, all {@link #acceptsEndpoints} checks. */
    public boolean acceptsProtocol(int protocol) {
        return protocols.isEmpty() || protocols.contains(protocol);
    }

    /** Whether either address lies in an ignored prefix. */
    private boolean ignores(byte[] src, byte[] dst) {
        for (Cidr c : ignore) {
            if (c.contains(src) || c.contains(dst)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the verdict on a flow of {@code protocol} also depends on its TCP state. */
    public boolean checksTcpState(int protocol) {
        return !tcpStates.isEmpty() && protocol == Tuple.TCP;
    }
}
