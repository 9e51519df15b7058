package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void repositoryNamesFollowTheDistributionGrammar() {
        assertThat(Names.isRepository("library/busybox")).isTrue();
        assertThat(Names.isRepository("a.b_c__d-e---f/g")).isTrue();
        assertThat(Names.isRepository("Upper")).isFalse();
        assertThat(Names.isRepository("a//b")).isFalse();
        assertThat(Names.isRepository("a/")).isFalse();
        assertThat(Names.isRepository("-a")).isFalse();
        assertThat(Names.isRepository("a___b")).isFalse();
        assertThat(Names.isRepository("a".repeat(256))).isFalse();
        assertThat(Names.namespace("team/app/web")).isEqualTo("team");
    }

    @Test
    void repositoryNamesAgreeWithTheSpecsRegexOnRandomInput() {
        // The distribution spec's own regex as the oracle for the hand-written reader.
        Pattern spec = Pattern.compile(
                "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
        String alphabet = "ab09._-/A:";
        Random random = new Random(7);
        int valid = 0;
        for (int round = 0; round < 200_000; round++) {
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            boolean expected = spec.matcher(name).matches();
            assertThat(Names.isRepository(name.toString())).as("'%s'", name).isEqualTo(expected);
            valid += expected ? 1 : 0;
        }
        assertThat(valid).as("the random names include valid ones").isGreaterThan(1000);
        assertThat(Names.isRepository("")).isFalse();
        assertThat(Names.isRepository(null)).isFalse();
    }

    @Test
    void tagsFollowTheDistributionGrammar() {
        assertThat(Names.isTag("v1.0_rc-1")).isTrue();
        assertThat(Names.isTag("_x")).isTrue();
        assertThat(Names.isTag(".x")).isFalse();
        assertThat(Names.isTag("-x")).isFalse();
        assertThat(Names.isTag("a".repeat(128))).isTrue();
        assertThat(Names.isTag("a".repeat(129))).isFalse();
        assertThat(Names.isTag("a:b")).isFalse();
    }
}
