package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The "variance shift" of one batch-normalization layer (Li, Chen, Hu and Yang, CVPR 2019): the statistics BN uses
 * at inference are moving averages of its inputs' statistics in training mode, where dropout is on; at inference
 * dropout is off, so when a dropout comes before a BN the inputs BN actually sees have another variance than the
 * one it divides by. All figures are averages over the layer's units.
 *
 * <pre>{@code
 * List<VarianceShift> shifts = VarianceShift.measure(trainedBlock, data.testX());
 * shifts.get(0).ratio();   // running variance / inference variance: 1 means no shift
 * }</pre>
 *
 * @param layer             1-based index of the BN layer in the block
 * @param runningMean       the mean BN subtracts at inference (learned in training mode)
 * @param inferenceMean     the mean of BN's inputs in inference mode
 * @param runningVariance   the variance BN divides by at inference (learned in training mode)
 * @param inferenceVariance the variance of BN's inputs in inference mode
 */
public record VarianceShift(
        int layer, double runningMean, double inferenceMean, double runningVariance, double inferenceVariance) {
    /** {@code runningVariance / inferenceVariance}: above 1 when training-mode dropout inflated what BN learned. */
    public double ratio() {
        return runningVariance / inferenceVariance;
    }

    /**
     * Runs {@code x} through {@code block} (a model's trained layers, as {@link Mlp#block()} builds them) in inference
     * mode and, at every {@link BatchNormLayer}, compares its running statistics with those of its actual input.
     * Reads the block without changing it; {@code x} is left as it was.
     */
    public static List<VarianceShift> measure(Block block, NDArray x) {
        List<VarianceShift> shifts = new ArrayList<>();
        try (NDManager scratch = x.getManager().newSubManager()) {
            ParameterStore ps = new ParameterStore(scratch, false);
            NDList h = new NDList(
                    x.get(scratch, new NDIndex().addSliceDim(0, x.getShape().get(0))));
            for (Block child : block.getChildren().values()) {
                if (child instanceof BatchNormLayer bn) {
                    NDArray in = h.head();
                    NDArray mean = in.mean(new int[] {0});
                    NDArray variance = in.sub(mean).square().mean(new int[] {0});
                    shifts.add(new VarianceShift(
                            shifts.size() + 1,
                            average(bn.runningMean().toFloatArray()),
                            average(mean.toFloatArray()),
                            average(bn.runningVariance().toFloatArray()),
                            average(variance.toFloatArray())));
                }
                h = child.forward(ps, h, false);
            }
        }
        return shifts;
    }

    private static double average(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
