package dev.berth.agent.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecJsonTest {

    private static final String FULL = """
            {"name":"web","image":"127.0.0.1:5000/team/app:1.0","entrypoint":["/bin/app"],"args":["--port","80"],
             "env":{"MODE":"prod"},"workingDir":"/srv","user":"1000:1000",
             "volumes":[{"source":"/data","target":"/var/data","readOnly":true},{"target":"/cache"}],
             "resources":{"cpus":0.5,"memoryBytes":67108864,"pids":64},
             "restartPolicy":"on-failure:3",
             "hooks":{"poststop":[{"path":"/usr/bin/cleanup","args":["cleanup","-v"],"env":["A=1"],"timeout":5}]},
             "labels":{"app":"shop"},"seccomp":"unconfined"}""";

    @Test
    void parsesEveryField() {
        ContainerSpec spec = ContainerSpecJson.parse(new JsonObject(FULL));

        assertThat(spec.name()).isEqualTo("web");
        assertThat(spec.entrypoint()).containsExactly("/bin/app");
        assertThat(spec.args()).containsExactly("--port", "80");
        assertThat(spec.env()).isEqualTo(Map.of("MODE", "prod"));
        assertThat(spec.volumes()).containsExactly(new VolumeMount("/data", "/var/data", true),
                new VolumeMount(null, "/cache", false));
        assertThat(spec.resources()).isEqualTo(new Resources(0.5, 67108864L, 64L));
        assertThat(spec.restartPolicy()).isEqualTo(new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 3));
        assertThat(spec.hooks().poststop()).containsExactly(new Hook("/usr/bin/cleanup", List.of("cleanup", "-v"),
                List.of("A=1"), 5));
        assertThat(spec.labels()).isEqualTo(Map.of("app", "shop"));
        assertThat(spec.seccomp()).isEqualTo(ContainerSpec.SECCOMP_UNCONFINED);
    }

    @Test
    void seccompIsTheDefaultFilterUnlessUnconfinedIsAsked() {
        assertThat(ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\"}")).seccomp())
                .isEqualTo(ContainerSpec.SECCOMP_DEFAULT);
        assertThat(ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"seccomp\":\"default\"}")).seccomp())
                .isEqualTo(ContainerSpec.SECCOMP_DEFAULT);
        assertThatThrownBy(() -> ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"seccomp\":\"off\"}")))
                .hasMessage("seccomp must be \"default\" or \"unconfined\", got \"off\"");
        assertThatThrownBy(() -> ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"seccomp\":false}")))
                .hasMessageContaining("seccomp must be a string");
    }

    @Test
    void roundTripsThroughItsJson() {
        ContainerSpec spec = ContainerSpecJson.parse(new JsonObject(FULL));

        assertThat(ContainerSpecJson.parse(ContainerSpecJson.toJson(spec))).isEqualTo(spec);
    }

    @Test
    void restartPolicyForms() {
        assertThat(ContainerSpecJson.restartPolicy("no")).isEqualTo(RestartPolicy.NO);
        assertThat(ContainerSpecJson.restartPolicy(null)).isEqualTo(RestartPolicy.NO);
        assertThat(ContainerSpecJson.restartPolicy("always").kind()).isEqualTo(RestartPolicy.Kind.ALWAYS);
        assertThat(ContainerSpecJson.restartPolicy("on-failure")).isEqualTo(new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 0));
        for (Object bad : List.<Object>of("on-failure:", "on-failure:x", "on-failure:-1", "on-failure:01", "On-Failure",
                "always:3", 3)) {
            assertThatThrownBy(() -> ContainerSpecJson.restartPolicy(bad)).isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("restartPolicy");
        }
    }

    @Test
    void errorsNameTheField() {
        assertThatThrownBy(() -> ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"volumes\":[{\"target\":\"rel\"}]}")))
                .hasMessage("volumes[0].target must be an absolute path, got \"rel\"");
        assertThatThrownBy(() -> ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"resources\":{\"memoryBytes\":0}}")))
                .hasMessageContaining("resources.memoryBytes must be a positive integer");
        assertThatThrownBy(() -> ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":-1}]}}")))
                .hasMessageContaining("hooks.poststop[0].timeout");
        assertThatThrownBy(() -> ContainerSpecJson.parse(new JsonObject("{\"image\":\"x\",\"env\":{\"A=B\":\"c\"}}")))
                .hasMessageContaining("env.A=B");
    }
}
