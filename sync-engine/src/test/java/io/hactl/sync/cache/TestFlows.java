package io.hactl.sync.cache;

import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.ProtoInfo;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.Synproxy;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Flows for the cache tests: named examples of every shape, numbered bulk flows, random flows. */
public final class TestFlows {
    private TestFlows() {}

    /** What the kernel reports for an established, assured, un-NATed connection. */
    static final long ESTABLISHED_STATUS = Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED | Ctnl.IPS_CONFIRMED
            | Ctnl.IPS_SRC_NAT_DONE | Ctnl.IPS_DST_NAT_DONE; // 0x18e

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static InetAddress ip(byte... raw) {
        try {
            return raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An IPv4 TCP ESTABLISHED flow as a kernel dump shows it (reply = inverse); distinct per {@code n}. */
    public static Flow tcp4(int n) {
        InetAddress src = ip(new byte[] {10, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8)});
        Tuple orig = Tuple.tcp(src, ip(new byte[] {(byte) 192, (byte) 168, 1, 2}), 1024 + (n & 0xff), 443);
        return established(orig);
    }

    /** An IPv6 TCP ESTABLISHED flow as a kernel dump shows it; distinct per {@code n}. */
    public static Flow tcp6(int n) {
        byte[] s = new byte[16];
        s[0] = 0x20;
        s[1] = 0x01;
        s[2] = 0x0d;
        s[3] = (byte) 0xb8;
        s[12] = (byte) (n >>> 24);
        s[13] = (byte) (n >>> 16);
        s[14] = (byte) (n >>> 8);
        s[15] = (byte) n;
        byte[] d = s.clone();
        d[12] = d[13] = d[14] = 0;
        d[15] = 1;
        d[4] = 1;
        Tuple orig = Tuple.tcp(ip(s), ip(d), 40000 + (n & 0x3ff), 443);
        return established(orig);
    }

    static Flow established(Tuple orig) {
        return Flow.builder(orig)
                .reply(orig.inverse())
                .status(ESTABLISHED_STATUS)
                .timeout(432000)
                .mark(0)
                .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 7, 0x23, 0x23))
                .id(0x1234_5678L)
                .build();
    }

    /** One flow of every shape the encoding distinguishes, by name. */
    public static Map<String, Flow> varied() {
        Map<String, Flow> m = new LinkedHashMap<>();
        Tuple tcp4 = Tuple.tcp(ip("10.0.0.1"), ip("192.168.1.2"), 50000, 80);
        m.put("ipv4 tcp established", established(tcp4));
        m.put("ipv6 tcp established", established(Tuple.tcp(ip("2001:db8::1"), ip("2001:db8:1::2"), 50001, 443)));
        m.put("ipv4 tcp no reply no timeout", Flow.builder(tcp4).status(0).build());
        m.put("ipv4 tcp snat reply", Flow.builder(tcp4)
                .reply(Tuple.tcp(ip("192.168.1.2"), ip("203.0.113.7"), 80, 61000))
                .status(ESTABLISHED_STATUS | Ctnl.IPS_SRC_NAT).timeout(120).mark(0xdeadbeefL).zone(7)
                .protoInfo(TcpInfo.ofState(TcpInfo.TIME_WAIT)).build());
        m.put("ipv4 udp", Flow.builder(Tuple.udp(ip("10.0.0.1"), ip("10.0.0.53"), 5353, 53))
                .reply(Tuple.udp(ip("10.0.0.53"), ip("10.0.0.1"), 53, 5353)).status(0x8).timeout(30).build());
        m.put("ipv6 udp-lite", Flow.builder(Tuple.ports(ip("fe80::1"), ip("fe80::2"), Tuple.UDPLITE, 1, 2))
                .timeout(10).build());
        m.put("ipv4 icmp echo", Flow.builder(Tuple.icmp(ip("10.0.0.1"), ip("8.8.8.8"), 8, 0, 0x4242))
                .reply(Tuple.icmp(ip("8.8.8.8"), ip("10.0.0.1"), 0, 0, 0x4242))
                .status(0x8).timeout(29).build());
        m.put("ipv6 icmpv6 echo", Flow.builder(Tuple.icmp(ip("2001:db8::1"), ip("2001:db8::2"), 128, 0, 7))
                .reply(Tuple.icmp(ip("2001:db8::2"), ip("2001:db8::1"), 129, 0, 7)).status(0xa).timeout(30).build());
        m.put("ipv4 sctp", Flow.builder(Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.SCTP, 2905, 2905))
                .reply(Tuple.ports(ip("10.0.0.2"), ip("10.0.0.1"), Tuple.SCTP, 2905, 2905))
                .protoInfo(new SctpInfo(3, 0xfeedf00dL, 0x01020304L)).timeout(210).build());
        m.put("ipv6 dccp", Flow.builder(Tuple.ports(ip("2001:db8::1"), ip("2001:db8::2"), Tuple.DCCP, 5000, 6000))
                .protoInfo(new DccpInfo(4, 1, 0x0102030405060708L)).timeout(43200).build());
        m.put("ipv4 gre", Flow.builder(Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.GRE, 0, 0x10))
                .timeout(180).build());
        m.put("ipv4 esp (other protocol)", Flow.builder(Tuple.other(ip("10.0.0.1"), ip("10.0.0.2"), 50))
                .reply(Tuple.other(ip("10.0.0.2"), ip("10.0.0.1"), 50)).timeout(600).build());
        m.put("ipv6 v4-mapped addresses", Flow.builder(Tuple.tcp(ip(mapped(10, 0, 0, 1)), ip(mapped(10, 0, 0, 2)), 1, 2))
                .build());
        m.put("ipv4 ftp-data related, every optional part", everything());
        m.put("ipv6 empty labels and nat to ipv6", Flow.builder(Tuple.udp(ip("2001:db8::1"), ip("2001:db8::2"), 1000, 2000))
                .labels(new BitSet())
                .snat(NatRange.to(ip("2001:db8::99")))
                .helper("sip")
                .build());
        return m;
    }

    /** A related flow with every optional part set. */
    static Flow everything() {
        BitSet labels = new BitSet();
        labels.set(0);
        labels.set(9);
        labels.set(127);
        return Flow.builder(Tuple.tcp(ip("192.168.1.2"), ip("10.0.0.1"), 20, 40001))
                .reply(Tuple.tcp(ip("10.0.0.1"), ip("203.0.113.7"), 40001, 20))
                .zone(0xfffe)
                .status(0xffff_ffffL)
                .timeout(0xffff_ffffL)
                .mark(0)
                .protoInfo(new TcpInfo(TcpInfo.SYN_SENT2, 14, 0, 0xff, 0))
                .master(Tuple.tcp(ip("10.0.0.1"), ip("192.168.1.2"), 40000, 21))
                .snat(new NatRange(ip("203.0.113.1"), ip("203.0.113.9"), 1024, 65535))
                .dnat(NatRange.to(ip("10.0.0.1"), 8080))
                .seqAdjOrig(new SeqAdj(1, 2, 3))
                .seqAdjReply(new SeqAdj(0xffff_ffffL, 0, 0x8000_0000L))
                .helper("ftp")
                .labels(labels)
                .synproxy(new Synproxy(11, 12, 13))
                .build();
    }

    static byte[] mapped(int a, int b, int c, int d) {
        return new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** A random flow: any family, protocol and combination of optional parts. */
    /** Every shape of {@link #varied}, {@code simple} IPv4 and IPv6 TCP flows and {@code random} random ones. */
    public static java.util.List<Flow> sample(int simple, int random, long seed) {
        java.util.List<Flow> out = new java.util.ArrayList<>(varied().values());
        for (int i = 0; i < simple; i++) {
            out.add(tcp4(i));
            out.add(tcp6(i));
        }
        Random r = new Random(seed);
        for (int i = 0; i < random; i++) {
            out.add(random(r));
        }
        return out;
    }

    public static Flow random(Random r) {
        boolean v6 = r.nextBoolean();
        int[] protos = {Tuple.TCP, Tuple.UDP, Tuple.SCTP, Tuple.DCCP, Tuple.UDPLITE, Tuple.GRE,
            v6 ? Tuple.ICMPV6 : Tuple.ICMP, r.nextInt(256)};
        int proto = protos[r.nextInt(protos.length)];
        Tuple orig = randomTuple(r, v6, proto);
        Flow.Builder b = Flow.builder(orig).zone(r.nextInt(3) == 0 ? r.nextInt(0x10000) : 0)
                .status(r.nextLong() & 0xffff_ffffL).id(r.nextLong());
        switch (r.nextInt(3)) {
            case 0 -> b.reply(orig.inverse());
            case 1 -> b.reply(randomTuple(r, v6, proto));
            default -> { }
        }
        if (r.nextBoolean()) {
            b.timeout(r.nextLong() & 0xffff_ffffL);
        }
        if (r.nextBoolean()) {
            b.mark(r.nextLong() & 0xffff_ffffL);
        }
        ProtoInfo pi = switch (proto) {
            case Tuple.TCP -> new TcpInfo(r.nextInt(TcpInfo.MAX), r.nextInt(256), r.nextInt(256), r.nextInt(256), r.nextInt(256));
            case Tuple.SCTP -> new SctpInfo(r.nextInt(256), r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL);
            case Tuple.DCCP -> new DccpInfo(r.nextInt(256), r.nextInt(256), r.nextLong());
            default -> null;
        };
        if (r.nextBoolean()) {
            b.protoInfo(pi);
        }
        if (r.nextInt(4) == 0) {
            boolean mv6 = r.nextInt(8) == 0 ? !v6 : v6;
            b.master(randomTuple(r, mv6, Tuple.TCP));
        }
        if (r.nextInt(4) == 0) {
            b.snat(randomNat(r, r.nextBoolean()));
        }
        if (r.nextInt(4) == 0) {
            b.dnat(randomNat(r, r.nextBoolean()));
        }
        if (r.nextInt(4) == 0) {
            b.seqAdjOrig(new SeqAdj(r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL));
        }
        if (r.nextInt(4) == 0) {
            b.seqAdjReply(new SeqAdj(r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL));
        }
        if (r.nextInt(4) == 0) {
            String[] names = {"ftp", "sip", "tftp", "h323", "pptp", "netbios-ns", "snmp_trap", "amanda", "RAS", "päß", "fifteen-chars-x"};
            b.helper(names[r.nextInt(names.length)]);
        }
        if (r.nextInt(4) == 0) {
            BitSet labels = new BitSet();
            for (int i = r.nextInt(5); i > 0; i--) {
                labels.set(r.nextInt(128));
            }
            b.labels(labels);
        }
        if (r.nextInt(4) == 0) {
            b.synproxy(new Synproxy(r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL, r.nextLong() & 0xffff_ffffL));
        }
        return b.build();
    }

    private static Tuple randomTuple(Random r, boolean v6, int proto) {
        InetAddress s = randomIp(r, v6);
        InetAddress d = randomIp(r, v6);
        if (Tuple.hasPorts(proto)) {
            return Tuple.ports(s, d, proto, r.nextInt(0x10000), r.nextInt(0x10000));
        }
        if (Tuple.isIcmp(proto)) {
            return new Tuple(s, d, proto, 0, 0, r.nextInt(256), r.nextInt(256), r.nextInt(0x10000));
        }
        return Tuple.other(s, d, proto);
    }

    private static NatRange randomNat(Random r, boolean v6) {
        return new NatRange(randomIp(r, v6), randomIp(r, v6), r.nextInt(0x10000), r.nextInt(0x10000));
    }

    private static InetAddress randomIp(Random r, boolean v6) {
        byte[] b = new byte[v6 ? 16 : 4];
        r.nextBytes(b);
        return ip(b);
    }

    /** {@code f} as a decode returns it: the kernel id is not encoded. */
    static Flow withoutId(Flow f) {
        return f.toBuilder().id(Flow.ABSENT).build();
    }

    /** Hex of a fixture written one field per line; {@code #} starts a comment. */
    static byte[] hex(String fixture) {
        StringBuilder digits = new StringBuilder();
        for (String line : fixture.split("\n")) {
            int hash = line.indexOf('#');
            digits.append((hash >= 0 ? line.substring(0, hash) : line).replaceAll("\\s+", ""));
        }
        byte[] out = new byte[digits.length() / 2];
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits in fixture");
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static String toHex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
