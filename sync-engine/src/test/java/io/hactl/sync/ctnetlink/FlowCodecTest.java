package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Ctnl.IPS_ASSURED;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_CONFIRMED;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_DYING;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_EXPECTED;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_HELPER;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_SEEN_REPLY;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_SEQ_ADJUST;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_SRC_NAT;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_SRC_NAT_DONE;
import static io.hactl.sync.ctnetlink.Fixtures.buffer;
import static io.hactl.sync.ctnetlink.Fixtures.groups;
import static io.hactl.sync.ctnetlink.Fixtures.hex;
import static io.hactl.sync.ctnetlink.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.Synproxy;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.util.BitSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A whole conntrack entry against byte fixtures: what hactl writes and what the kernel sends. */
class FlowCodecTest {

    @BeforeAll
    static void fixturesAreLittleEndian() {
        assumeTrue(Fixtures.LITTLE_ENDIAN_HOST, "fixtures carry netlink headers in little-endian host order");
    }

    /** A SNATed FTP data connection with every optional part hactl writes. */
    static Flow fullTcpFlow() {
        BitSet labels = new BitSet();
        labels.set(0);
        labels.set(9);
        return Flow.builder(Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 443))
                .reply(Tuple.tcp(ip("10.0.0.2"), ip("192.0.2.1"), 443, 61000))
                .zone(5)
                // IPS_EXPECTED and IPS_DYING are kernel-owned: the encoder must drop them
                .status(IPS_SEEN_REPLY | IPS_ASSURED | IPS_SRC_NAT | IPS_SEQ_ADJUST | IPS_SRC_NAT_DONE
                        | IPS_HELPER | IPS_EXPECTED | IPS_DYING)
                .timeout(300)
                .mark(0x01020304L)
                .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 8, 0x0b, 0x23))
                .master(Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40001, 21))
                .snat(NatRange.to(ip("192.0.2.1"), 61000))
                .seqAdjOrig(new SeqAdj(1000, 0, 4))
                .seqAdjReply(new SeqAdj(2000, 0, 0xfffffffcL))
                .helper("ftp")
                .labels(labels)
                .synproxy(new Synproxy(0x11223344L, 0x55667788L, 0x99aabbccL))
                .build();
    }

    static final byte[] FULL_TCP_FLOW = hex(
            "34 00 01 80",              // CTA_TUPLE_ORIG len=52 nested
            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
            "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC len=8 type=1: 10.0.0.1
            "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST len=8 type=2: 10.0.0.2
            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM len=5 type=1: 6 = IPPROTO_TCP
            "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT len=6 type=2: 0x9c40 = 40000 BE
            "06 00 03 00 01 bb 00 00",  //     CTA_PROTO_DST_PORT len=6 type=3: 0x01bb = 443 BE
            "34 00 02 80",              // CTA_TUPLE_REPLY len=52 nested
            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
            "08 00 01 00 0a 00 00 02",  //     CTA_IP_V4_SRC: 10.0.0.2
            "08 00 02 00 c0 00 02 01",  //     CTA_IP_V4_DST: 192.0.2.1 (the SNAT address)
            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
            "06 00 02 00 01 bb 00 00",  //     CTA_PROTO_SRC_PORT: 443
            "06 00 03 00 ee 48 00 00",  //     CTA_PROTO_DST_PORT: 0xee48 = 61000 BE
            "06 00 12 00 00 05 00 00",  // CTA_ZONE len=6 type=18: 5 BE
            "08 00 03 00 00 00 20 de",  // CTA_STATUS len=8 type=3: 0x20de = SEEN_REPLY|ASSURED|CONFIRMED|SRC_NAT
                                        //   |SEQ_ADJUST|SRC_NAT_DONE|HELPER (EXPECTED, DYING dropped)
            "08 00 07 00 00 00 01 2c",  // CTA_TIMEOUT len=8 type=7: 300 s BE
            "08 00 08 00 01 02 03 04",  // CTA_MARK len=8 type=8: 0x01020304 BE
            "30 00 04 80",              // CTA_PROTOINFO len=48 nested
            "2c 00 01 80",              //   CTA_PROTOINFO_TCP len=44 nested
            "05 00 01 00 03 00 00 00",  //     CTA_PROTOINFO_TCP_STATE: 3 = TCP_CONNTRACK_ESTABLISHED
            "05 00 02 00 07 00 00 00",  //     CTA_PROTOINFO_TCP_WSCALE_ORIGINAL: 7
            "05 00 03 00 08 00 00 00",  //     CTA_PROTOINFO_TCP_WSCALE_REPLY: 8
            "06 00 04 00 0b ff 00 00",  //     CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: {flags 0x0b, mask 0xff}
            "06 00 05 00 23 ff 00 00",  //     CTA_PROTOINFO_TCP_FLAGS_REPLY: {flags 0x23, mask 0xff}
            "34 00 0e 80",              // CTA_TUPLE_MASTER len=52 nested
            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
            "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
            "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
            "06 00 02 00 9c 41 00 00",  //     CTA_PROTO_SRC_PORT: 40001
            "06 00 03 00 00 15 00 00",  //     CTA_PROTO_DST_PORT: 21
            "28 00 06 80",              // CTA_NAT_SRC len=40 nested
            "08 00 01 00 c0 00 02 01",  //   CTA_NAT_V4_MINIP len=8 type=1: 192.0.2.1
            "08 00 02 00 c0 00 02 01",  //   CTA_NAT_V4_MAXIP len=8 type=2: 192.0.2.1
            "14 00 03 80",              //   CTA_NAT_PROTO len=20 nested
            "06 00 01 00 ee 48 00 00",  //     CTA_PROTONAT_PORT_MIN: 61000 BE
            "06 00 02 00 ee 48 00 00",  //     CTA_PROTONAT_PORT_MAX: 61000 BE
            "1c 00 0f 80",              // CTA_SEQ_ADJ_ORIG len=28 nested
            "08 00 01 00 00 00 03 e8",  //   CTA_SEQADJ_CORRECTION_POS: 1000 BE
            "08 00 02 00 00 00 00 00",  //   CTA_SEQADJ_OFFSET_BEFORE: 0
            "08 00 03 00 00 00 00 04",  //   CTA_SEQADJ_OFFSET_AFTER: 4
            "1c 00 10 80",              // CTA_SEQ_ADJ_REPLY len=28 nested
            "08 00 01 00 00 00 07 d0",  //   CTA_SEQADJ_CORRECTION_POS: 2000 BE
            "08 00 02 00 00 00 00 00",  //   CTA_SEQADJ_OFFSET_BEFORE: 0
            "08 00 03 00 ff ff ff fc",  //   CTA_SEQADJ_OFFSET_AFTER: 0xfffffffc (-4 as the kernel's s32)
            "0c 00 05 80",              // CTA_HELP len=12 nested
            "08 00 01 00 66 74 70 00",  //   CTA_HELP_NAME len=8 type=1: "ftp\0"
            "14 00 16 00",              // CTA_LABELS len=20 type=22: 128-bit bitmap, bits 0 and 9
            "01 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "1c 00 18 80",              // CTA_SYNPROXY len=28 nested
            "08 00 01 00 11 22 33 44",  //   CTA_SYNPROXY_ISN BE
            "08 00 02 00 55 66 77 88",  //   CTA_SYNPROXY_ITS BE
            "08 00 03 00 99 aa bb cc"); //   CTA_SYNPROXY_TSOFF BE

    @Test
    void encodesEveryPartOfAFlowAsTheKernelLaysItOut() {
        AttrWriter w = new AttrWriter(64);
        FlowCodec.encode(w, fullTcpFlow());
        assertThat(groups(w.toByteArray())).isEqualTo(groups(FULL_TCP_FLOW));
    }

    @Test
    void decodingTheEncodedFlowGivesItBackWithTheStatusThatWasWritten() throws Exception {
        DecodeStats stats = new DecodeStats();
        Flow decoded = FlowCodec.decode(buffer(FULL_TCP_FLOW), 0, FULL_TCP_FLOW.length, stats);

        Flow f = fullTcpFlow();
        assertThat(decoded).isEqualTo(f.toBuilder().status(FlowCodec.writableStatus(f.status())).build());
        assertThat(decoded.status()).isEqualTo(0x20deL);
        assertThat(stats.unknownAttributes).hasValue(0);
    }

    @Test
    void encodingWithoutAReplyTupleWritesTheInverseAndAlwaysSetsConfirmed() {
        Flow f = Flow.builder(Tuple.udp(ip("192.0.2.1"), ip("198.51.100.7"), 5353, 53)).build();
        AttrWriter w = new AttrWriter(64);
        FlowCodec.encode(w, f);
        assertThat(groups(w.toByteArray())).isEqualTo(groups(hex(
                "34 00 01 80",              // CTA_TUPLE_ORIG len=52 nested
                "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                "08 00 01 00 c0 00 02 01",  //     CTA_IP_V4_SRC: 192.0.2.1
                "08 00 02 00 c6 33 64 07",  //     CTA_IP_V4_DST: 198.51.100.7
                "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                "05 00 01 00 11 00 00 00",  //     CTA_PROTO_NUM: 17 = IPPROTO_UDP
                "06 00 02 00 14 e9 00 00",  //     CTA_PROTO_SRC_PORT: 5353
                "06 00 03 00 00 35 00 00",  //     CTA_PROTO_DST_PORT: 53
                "34 00 02 80",              // CTA_TUPLE_REPLY len=52 nested: orig.inverse()
                "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                "08 00 01 00 c6 33 64 07",  //     CTA_IP_V4_SRC: 198.51.100.7
                "08 00 02 00 c0 00 02 01",  //     CTA_IP_V4_DST: 192.0.2.1
                "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                "05 00 01 00 11 00 00 00",  //     CTA_PROTO_NUM: 17 = IPPROTO_UDP
                "06 00 02 00 00 35 00 00",  //     CTA_PROTO_SRC_PORT: 53
                "06 00 03 00 14 e9 00 00",  //     CTA_PROTO_DST_PORT: 5353
                "08 00 03 00 00 00 00 08")));// CTA_STATUS: IPS_CONFIRMED only; no zone, timeout, mark
    }

    @Test
    void decodesAKernelShapedEntrySkippingWhatIsNotReplicatedAndCountingOnlyTheUnknown() throws Exception {
        byte[] fixture = hex(
                "34 00 01 80",              // CTA_TUPLE_ORIG len=52 nested
                "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
                "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
                "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
                "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                "06 00 03 00 01 bb 00 00",  //     CTA_PROTO_DST_PORT: 443
                "34 00 02 80",              // CTA_TUPLE_REPLY len=52 nested
                "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                "08 00 01 00 0a 00 00 02",  //     CTA_IP_V4_SRC: 10.0.0.2
                "08 00 02 00 0a 00 00 01",  //     CTA_IP_V4_DST: 10.0.0.1
                "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
                "06 00 02 00 01 bb 00 00",  //     CTA_PROTO_SRC_PORT: 443
                "06 00 03 00 9c 40 00 00",  //     CTA_PROTO_DST_PORT: 40000
                "06 00 12 00 00 2a 00 00",  // CTA_ZONE: 42
                "08 00 03 00 00 00 00 0e",  // CTA_STATUS: SEEN_REPLY|ASSURED|CONFIRMED
                "1c 00 09 80",              // CTA_COUNTERS_ORIG len=28 nested: not replicated
                "0c 00 01 00 00 00 00 00 00 00 00 0a",  // CTA_COUNTERS_PACKETS be64: 10
                "0c 00 02 00 00 00 00 00 00 00 03 e8",  // CTA_COUNTERS_BYTES be64: 1000
                "1c 00 0a 80",              // CTA_COUNTERS_REPLY len=28 nested: not replicated
                "0c 00 01 00 00 00 00 00 00 00 00 08",  // CTA_COUNTERS_PACKETS be64: 8
                "0c 00 02 00 00 00 00 00 00 00 1f 40",  // CTA_COUNTERS_BYTES be64: 8000
                "10 00 14 80",              // CTA_TIMESTAMP len=16 nested: not replicated
                "0c 00 01 00 18 7a 4b 2c 00 00 00 00",  // CTA_TIMESTAMP_START be64 (ns)
                "08 00 08 00 00 00 00 07",  // CTA_MARK: 7
                "08 00 0c 00 c9 9e 7a 2c",  // CTA_ID: 0xc99e7a2c
                "08 00 0b 00 00 00 00 01",  // CTA_USE: 1, not replicated
                "08 00 07 00 00 00 00 77",  // CTA_TIMEOUT: 119 s
                "30 00 04 80",              // CTA_PROTOINFO len=48 nested
                "2c 00 01 80",              //   CTA_PROTOINFO_TCP len=44 nested
                "05 00 01 00 03 00 00 00",  //     CTA_PROTOINFO_TCP_STATE: 3 = ESTABLISHED
                "05 00 02 00 07 00 00 00",  //     CTA_PROTOINFO_TCP_WSCALE_ORIGINAL: 7
                "05 00 03 00 07 00 00 00",  //     CTA_PROTOINFO_TCP_WSCALE_REPLY: 7
                "06 00 04 00 23 00 00 00",  //     CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: {0x23, mask 0} as the kernel sends
                "06 00 05 00 03 00 00 00",  //     CTA_PROTOINFO_TCP_FLAGS_REPLY: {0x03, mask 0}
                "08 00 63 00 de ad be ef"); // type=99: unknown to this codec, skipped and counted
        DecodeStats stats = new DecodeStats();

        Flow f = FlowCodec.decode(buffer(fixture), 0, fixture.length, stats);

        assertThat(f).isEqualTo(Flow.builder(Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 443))
                .reply(Tuple.tcp(ip("10.0.0.2"), ip("10.0.0.1"), 443, 40000))
                .zone(42)
                .status(IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED)
                .mark(7)
                .timeout(119)
                .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 7, 0x23, 0x03))
                .id(0xc99e7a2cL)
                .build());
        assertThat(stats.unknownAttributes).hasValue(1);
    }

    /**
     * One datagram of a CT_GET dump answer, recorded from Linux 6.18.44 (x86_64) on 2026-11-26:
     * in a throwaway namespace, {@code conntrack -I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 40000
     * --dport 443 --state ESTABLISHED -t 120 -u ASSURED -m 7}, then a throwaway Java main run with
     * {@code ip netns exec} sent IPCTNL_MSG_CT_GET with NLM_F_DUMP (seq 4242, AF_INET) through
     * {@link JnaNetlinkSocket} and hex-printed the datagram received.
     */
    static final byte[] RECORDED_KERNEL_618 = hex(
            "f0 00 00 00",              // nlmsg_len: 240
            "00 01 22 00",              // nlmsg_type: 0x0100 = NFNL_SUBSYS_CTNETLINK<<8 | IPCTNL_MSG_CT_NEW;
                                        //   nlmsg_flags: 0x22 = NLM_F_MULTI | NLM_F_DUMP_FILTERED
            "92 10 00 00",              // nlmsg_seq: 4242
            "7b 11 00 00",              // nlmsg_pid: the dumping socket's port id
            "02 00 00 00",              // nfgenmsg: nfgen_family AF_INET, version 0, res_id 0
            "34 00 01 80",              // CTA_TUPLE_ORIG len=52 nested
            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
            "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
            "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
            "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
            "06 00 03 00 01 bb 00 00",  //     CTA_PROTO_DST_PORT: 443
            "34 00 02 80",              // CTA_TUPLE_REPLY len=52 nested
            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
            "08 00 01 00 0a 00 00 02",  //     CTA_IP_V4_SRC: 10.0.0.2
            "08 00 02 00 0a 00 00 01",  //     CTA_IP_V4_DST: 10.0.0.1
            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
            "06 00 02 00 01 bb 00 00",  //     CTA_PROTO_SRC_PORT: 443
            "06 00 03 00 9c 40 00 00",  //     CTA_PROTO_DST_PORT: 40000
            "08 00 03 00 00 00 00 0c",  // CTA_STATUS: ASSURED|CONFIRMED (no SEEN_REPLY: "[UNREPLIED]")
            "08 00 08 00 00 00 00 07",  // CTA_MARK: 7
            "08 00 0c 00 c9 9e 7a 2c",  // CTA_ID: 0xc99e7a2c
            "08 00 0b 00 00 00 00 01",  // CTA_USE: 1
            "08 00 07 00 00 00 00 77",  // CTA_TIMEOUT: 119 s
            "30 00 04 80",              // CTA_PROTOINFO len=48 nested
            "2c 00 01 80",              //   CTA_PROTOINFO_TCP len=44 nested
            "05 00 01 00 03 00 00 00",  //     CTA_PROTOINFO_TCP_STATE: 3 = ESTABLISHED
            "05 00 02 00 00 00 00 00",  //     CTA_PROTOINFO_TCP_WSCALE_ORIGINAL: 0
            "05 00 03 00 00 00 00 00",  //     CTA_PROTOINFO_TCP_WSCALE_REPLY: 0
            "06 00 04 00 0a 00 00 00",  //     CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: {SACK_PERM|BE_LIBERAL, mask 0}
            "06 00 05 00 0a 00 00 00",  //     CTA_PROTOINFO_TCP_FLAGS_REPLY: {SACK_PERM|BE_LIBERAL, mask 0}
            "1c 00 18 80",              // CTA_SYNPROXY len=28 nested, all zero
            "08 00 01 00 00 00 00 00",  //   CTA_SYNPROXY_ISN
            "08 00 02 00 00 00 00 00",  //   CTA_SYNPROXY_ITS
            "08 00 03 00 00 00 00 00"); //   CTA_SYNPROXY_TSOFF

    /** The datagram that ended the recorded dump. */
    static final byte[] RECORDED_KERNEL_618_DONE = hex(
            "14 00 00 00",              // nlmsg_len: 20
            "03 00 02 00",              // nlmsg_type: NLMSG_DONE; nlmsg_flags: NLM_F_MULTI
            "92 10 00 00",              // nlmsg_seq: 4242
            "7b 11 00 00",              // nlmsg_pid
            "00 00 00 00");             // int: 0, the dump's result

    @Test
    void decodesAMessageRecordedFromKernel618() throws Exception {
        ByteBuffer buf = buffer(RECORDED_KERNEL_618);
        DecodeStats stats = new DecodeStats();

        NlMsg msg = Nfgenmsg.read(buf, 0);
        Flow f = FlowCodec.decode(buf, msg.attrStart(), msg.end(), stats);

        assertThat(Ctnl.isCtnetlink(msg.type())).isTrue();
        assertThat(Ctnl.ctType(msg.type())).isEqualTo(Ctnl.IPCTNL_MSG_CT_NEW);
        assertThat(msg.seq()).isEqualTo(4242);
        assertThat(msg.next()).isEqualTo(RECORDED_KERNEL_618.length);
        assertThat(f).isEqualTo(Flow.builder(Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 443))
                .reply(Tuple.tcp(ip("10.0.0.2"), ip("10.0.0.1"), 443, 40000))
                .status(IPS_ASSURED | IPS_CONFIRMED)
                .timeout(119)
                .mark(7)
                .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 0, 0, 0x0a, 0x0a))
                // no synproxy: the all-zero extension ctnetlink adds to what it creates is absent
                .id(0xc99e7a2cL)
                .build());
        assertThat(stats.unknownAttributes).hasValue(0);
    }

    @Test
    void readsTheDoneMessageThatEndedTheRecordedDump() throws Exception {
        ByteBuffer buf = buffer(RECORDED_KERNEL_618_DONE);

        NlMsg msg = Nfgenmsg.read(buf, 0);

        assertThat(msg.type()).isEqualTo(Netlink.NLMSG_DONE);
        assertThat(msg.flags()).isEqualTo(Netlink.NLM_F_MULTI);
        assertThat(msg.seq()).isEqualTo(4242);
        assertThat(Ctnl.isCtnetlink(msg.type())).isFalse();
    }
}
