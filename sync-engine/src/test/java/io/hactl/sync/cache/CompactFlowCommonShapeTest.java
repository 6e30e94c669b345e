package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free check of the common shape agrees with decoding, including on damaged bytes. */
class CompactFlowCommonShapeTest {
    static List<Flow> flows() {
        return TestFlows.sample(20, 3000, 11);
    }

    static boolean commonShape(Flow f) {
        Tuple o = f.orig();
        return !Tuple.isIcmp(o.protocol()) && (f.reply() == null || f.reply().equals(o.inverse()))
                && (f.protoInfo() == null || f.protoInfo() instanceof TcpInfo) && f.master() == null && f.snat() == null
                && f.dnat() == null && f.seqAdjOrig() == null && f.seqAdjReply() == null && f.helper() == null
                && f.labels() == null && f.synproxy() == null;
    }

    @Test
    void recognisesExactlyTheCommonShapeOfValidEncodings() {
        int common = 0;
        for (Flow f : flows()) {
            boolean expected = commonShape(f);
            assertThat(CompactFlow.isCommonShape(CompactFlow.encode(f))).as("%s", f).isEqualTo(expected);
            common += expected ? 1 : 0;
        }
        assertThat(common).isGreaterThan(100); // both answers were exercised
    }

    @Test
    void neverAcceptsWhatDecodingRejects() {
        Random r = new Random(12);
        List<Flow> flows = flows();
        int accepted = 0;
        int rejectedByDecode = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] enc = CompactFlow.encode(flows.get(r.nextInt(flows.size())));
            byte[] m = switch (r.nextInt(4)) {
                case 0 -> Arrays.copyOf(enc, r.nextInt(enc.length + 1)); // truncated
                case 1 -> Arrays.copyOf(enc, enc.length + 1 + r.nextInt(8)); // trailing bytes
                default -> {
                    byte[] c = enc.clone();
                    for (int k = 1 + r.nextInt(3); k > 0; k--) {
                        c[r.nextInt(c.length)] = (byte) r.nextInt(256);
                    }
                    yield c;
                }
            };
            boolean decodes;
            try {
                CompactFlow.decode(m);
                decodes = true;
            } catch (CompactFlowException e) {
                decodes = false;
                rejectedByDecode++;
            }
            if (CompactFlow.isCommonShape(m)) {
                accepted++;
                assertThat(decodes).as("accepted %s, which decode rejects", java.util.HexFormat.of().formatHex(m)).isTrue();
            }
            boolean checked;
            try {
                CompactFlow.check(m);
                checked = true;
            } catch (CompactFlowException e) {
                checked = false;
            }
            assertThat(checked).isEqualTo(decodes);
        }
        assertThat(accepted).isGreaterThan(1000);
        assertThat(rejectedByDecode).isGreaterThan(1000);
    }

    @Test
    void checkNamesTheFieldOfWhatItRejects() {
        byte[] enc = CompactFlow.encode(TestFlows.tcp4(1));
        enc[0] = 9;
        assertThatCode(() -> CompactFlow.check(enc)).isInstanceOf(CompactFlowException.class).hasMessageContaining("format");
    }
}
