package bench.empty;

import io.quarkus.funqy.Funq;

/** The baseline: everything a Funqy Lambda needs to answer, and nothing else. */
public class EmptyFunction {
    @Funq
    public String empty() {
        return "ok";
    }
}
