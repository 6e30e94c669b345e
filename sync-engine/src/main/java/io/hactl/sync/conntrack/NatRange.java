package io.hactl.sync.conntrack;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A NAT mapping to set up when a flow is created (CTA_NAT_SRC / CTA_NAT_DST): the address range
 * and, when non-zero, the port range. The kernel does not report these in dumps: NAT shows in the
 * reply tuple and the IPS_SRC_NAT / IPS_DST_NAT status bits.
 */
public record NatRange(InetAddress minIp, InetAddress maxIp, int minPort, int maxPort) {
    public NatRange {
        Objects.requireNonNull(minIp, "minIp");
        Objects.requireNonNull(maxIp, "maxIp");
        if (minIp.getClass() != maxIp.getClass()) {
            throw new IllegalArgumentException("NAT range mixes address families");
        }
        Values.checkU16("minPort", minPort);
        Values.checkU16("maxPort", maxPort);
    }

    public static NatRange to(InetAddress ip, int port) {
        return new NatRange(ip, ip, port, port);
    }

    public static NatRange to(InetAddress ip) {
        return new NatRange(ip, ip, 0, 0);
    }
}
