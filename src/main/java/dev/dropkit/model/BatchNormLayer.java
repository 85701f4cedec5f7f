package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DJL's {@link BatchNorm} over the units of a hidden layer (axis 1 of a (batch, units) input), with a one-line error
 * for a training batch of one example, whose variance is undefined. In training mode it normalises each unit by the
 * batch's mean and (biased) variance and moves the running statistics towards them ({@code running = 0.9 * running
 * + 0.1 * batch}, DJL's default momentum; the running variance takes the batch's unbiased variance, as PyTorch
 * does); in inference mode it normalises by the running statistics and leaves them as they are, so the same input
 * always gives the same output. Scale (gamma, initially 1) and shift (beta, initially 0) are trained.
 */
public final class BatchNormLayer extends AbstractBlock {
    private final BatchNorm norm;

    public BatchNormLayer() {
        super((byte) 1);
        norm = addChildBlock("batchnorm", BatchNorm.builder().build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            checkBatchSize(Math.toIntExact(inputs.head().getShape().get(0)));
        }
        return norm.forward(ps, inputs, training, params);
    }

    /** A one-line error unless a training batch of {@code examples} can be normalised (at least 2). */
    static void checkBatchSize(int examples) {
        if (examples < 2) {
            throw new IllegalArgumentException("batch normalization needs at least 2 examples per training batch to"
                    + " estimate a mean and a variance, but a batch holds " + examples
                    + ": use a batch size of 2 or more (e.g. 128), or a model without batch normalization");
        }
    }

    /** The running mean per unit (what inference subtracts). */
    public NDArray runningMean() {
        return parameter(Parameter.Type.RUNNING_MEAN).getArray();
    }

    /** The running variance per unit (what inference divides by, after adding epsilon and a square root). */
    public NDArray runningVariance() {
        return parameter(Parameter.Type.RUNNING_VAR).getArray();
    }

    private Parameter parameter(Parameter.Type type) {
        return norm.getParameters().values().stream()
                .filter(p -> p.getType() == type)
                .findFirst()
                .orElseThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "BatchNorm()";
    }
}
