package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HactlCommandTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        return run(Main.commandLine(), args);
    }

    /** As {@code main} runs it: only the named subcommand's model built. */
    static Run runLean(String... args) {
        return run(Main.commandLine(args), args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void versionPrintsTheBuildVersionAndSucceeds() {
        Run r = run("version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).matches("hactl \\d+\\.\\d+\\.\\d+\\S* \\(Java .*\\)\\s*")
                .contains("(Java " + Runtime.version() + ")");
    }

    @Test
    void noCommandPrintsUsageAndFails() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("a command is required").contains("Usage: hactl");
    }

    @Test
    void unknownCommandPrintsUsageAndFails() {
        Run r = run("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument").contains("Did you mean").contains("Usage: hactl");
    }

    @Test
    void aSubcommandRunAloneAnswersAsInTheWholeTree() {
        for (String[] args : new String[][] {{"version"}, {"status", "--help"}, {"status", "--bogus"},
                {"config", "check", "--help"}, {"flush", "sideways"}, {"notify"}}) {
            Run whole = run(args);
            Run lean = runLean(args);
            assertThat(lean).as(String.join(" ", args)).isEqualTo(whole);
        }
    }

    @Test
    void anythingButASubcommandNameGetsTheWholeTree() {
        assertThat(runLean("frobnicate").err()).contains("Did you mean").contains("Usage: hactl");
        assertThat(runLean("--help").out()).contains("Usage: hactl").contains("status").contains("daemon");
        assertThat(runLean().exit()).isEqualTo(2);
        assertThat(runLean("--version").out()).startsWith("hactl ");
    }
}
