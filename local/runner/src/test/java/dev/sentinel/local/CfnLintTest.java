package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * cfn-lint, the CloudFormation linter, on template.yaml with its informational checks too (missing deletion policies
 * on stateful resources, among others): any finding fails the build. It is a Python package, so the tests need
 * python3 with cfn-lint; without it this test fails with the command that installs it rather than skip the check.
 */
class CfnLintTest {

    private static final String INSTALL = "pip install \"moto[server]\" cfn-lint aws-sam-translator";

    @Test
    void templateHasNoFindingsNotEvenInformationalOnes() throws Exception {
        Path repo = dev.sentinel.local.aws.SampleEvents.directory().getParent();
        // The package's own entry point: `python3 -m cfnlint` has no __main__ in cfn-lint 1.x.
        List<String> command = List.of("python3", "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
                "--include-checks", "I", "--", "template.yaml");
        Process lint;
        try {
            lint = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("the tests need python3 with cfn-lint (" + INSTALL + "): " + e.getMessage(), e);
        }
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!lint.waitFor(2, TimeUnit.MINUTES)) {
            lint.destroyForcibly();
            fail("cfn-lint did not finish in 2 minutes");
        }
        if (output.contains("No module named")) {
            fail("the tests need cfn-lint for python3 (" + INSTALL + "): " + output);
        }
        assertEquals("", output, "cfn-lint --include-checks I template.yaml found:\n" + output);
        assertEquals(0, lint.exitValue(), "cfn-lint exit status");
    }
}
