package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

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
