using System.Collections.Generic;
using RnnCodegen.Generator.Model;

namespace RnnCodegen.Generator.Emit
{
    /// <summary>
    /// The specialised SIMD time step (net8.0+ consumers): the gate matrices of every layer are kept in a packed,
    /// transposed copy ([input | hidden] rows x gate columns, every gate block padded to the vector width, stored as column
    /// panels one register block wide so that each block streams through contiguous memory), so one step is a
    /// register-blocked sequence of broadcast-FMAs over contiguous rows with two accumulator chains, then the cell update
    /// on whole vectors. Vector512, Vector256 and Vector128 variants are emitted and chosen by IsHardwareAccelerated
    /// (the JIT folds the checks); the generic kernel path remains for the rest (and for netstandard consumers).
    /// </summary>
    internal sealed partial class Emitter
    {
        private const string MM = "global::System.Runtime.InteropServices.MemoryMarshal";
        private const string U = "global::System.Runtime.CompilerServices.Unsafe";
        private const string HasFma = "(global::System.Runtime.Intrinsics.X86.Fma.IsSupported || global::System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)";

        /// <summary>
        /// a * b + c on vector class <paramref name="v"/>: a call of the emitted MulAdd helper (FusedMultiplyAdd where the CPU
        /// has FMA, multiply-add elsewhere, e.g. in default x64 NativeAOT builds where FusedMultiplyAdd would be emulated in
        /// software; the check is a JIT/AOT-time constant) or, where the target framework has no vector FusedMultiplyAdd,
        /// the plain multiply-add. A helper call instead of the inline conditional keeps the emitted IL small.
        /// </summary>
        private string FmaExpr(string v, string a, string b, string c) => _target.HasFusedMultiplyAdd
            ? "MulAdd(" + a + ", " + b + ", " + c + ")"
            : "(" + a + " * " + b + " + " + c + ")";

        /// <summary>An element offset for LoadUnsafe/StoreUnsafe: a literal as it is (int constants convert to nuint), anything else cast.</summary>
        private static string Offset(string offset)
        {
            foreach (char ch in offset) if (ch < '0' || ch > '9') return "(nuint)(" + offset + ")";
            return offset;
        }

        /// <summary>V.LoadUnsafe(ref reference, offset) for vector class <paramref name="v"/>.</summary>
        private static string LoadAt(string v, string reference, string offset) => v + ".LoadUnsafe(ref " + reference + ", " + Offset(offset) + ")";

        /// <summary>The MulAdd overloads FmaExpr calls, one per vector width (emitted with the specialised SIMD step).</summary>
        private void EmitMulAddHelpers()
        {
            if (!Fast || !_target.HasFusedMultiplyAdd) return;
            var w = _w;
            foreach (int width in new[] { 16, 8, 4 })
            {
                string V = VectorClass(width), VT = V + "<float>";
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
                w.Line("private static " + VT + " MulAdd(" + VT + " a, " + VT + " b, " + VT + " c) => " + HasFma + " ? " + V + ".FusedMultiplyAdd(a, b, c) : a * b + c;");
            }
            w.Line();
        }

        /// <summary>Whether this spec gets the specialised step: standard LSTM, GRU (reset after) and RNN on net8.0+.</summary>
        private bool Fast => _target.HasVector512 && !(_spec.Cell == Cell.Lstm && _spec.Peephole) && !(_spec.Cell == Cell.Gru && !_spec.ResetAfter);

        /// <summary>Hidden units padded to the widest vector that fits well: 4, 8, or a multiple of 16.</summary>
        private int Hp => !Fast ? _spec.Hidden : _spec.Hidden <= 4 ? 4 : _spec.Hidden <= 8 ? 8 : (_spec.Hidden + 15) / 16 * 16;

        /// <summary>Stride of one layer's h (and c) in the state arrays: the padded width when the fast path exists.</summary>
        private int Sp => Hp;

        private int StateStorage => (_spec.Cell == Cell.Lstm ? 2 : 1) * _spec.Layers * Sp;

        private int HOffset(int k) => k * Sp;

        private int COffset(int k) => _spec.Layers * Sp + k * Sp;

        /// <summary>
        /// Packed gate columns per layer: LSTM i f g o; GRU r z n(h) n(x), so that the three blocks the hidden rows reach are
        /// contiguous and register blocks can span them (the gate scratch keeps the order r z n(x) n(h):
        /// <see cref="GateColumn"/>); RNN one block.
        /// </summary>
        private int PackedGates => _spec.Cell == Cell.Rnn ? 1 : 4;

        /// <summary>The gate scratch column of packed column <paramref name="column"/>: GRU's n(h) and n(x) blocks trade places.</summary>
        private int GateColumn(int column)
        {
            if (_spec.Cell != Cell.Gru || column < 2 * Hp) return column;
            return column < 3 * Hp ? column + Hp : column - Hp;
        }

        private int Gp => PackedGates * Hp;

        private int PackedWeights(int k) => (_spec.LayerInput(k) + _spec.Hidden) * Gp;

        private int PackedLayerOffset(int k)
        {
            int offset = 0;
            for (int i = 0; i < k; i++) offset += PackedWeights(i) + Gp;
            return offset;
        }

        private int PackedDenseOffset => PackedLayerOffset(_spec.Layers);

        private int PackedSize => PackedDenseOffset + (_spec.HasHead ? _spec.Output * Hp + _spec.Output : 0);

        /// <summary>
        /// Where the training path's row-major copy of layer <paramref name="k"/>'s weight_hh starts in the packed buffer (after
        /// the packed copy, 64-byte aligned): the backward pass reads it for d h(t-1) = W_hh^T d, at full speed where the
        /// canonical parameters (an ordinary array: its data is only 8-byte aligned) make most vector loads straddle two cache lines.
        /// </summary>
        private int RecurrentCopyOffset(int k)
        {
            int offset = (PackedSize + 15) / 16 * 16;
            for (int i = 0; i < k; i++) offset += (_spec.GateRows * _spec.Hidden + 15) / 16 * 16;
            return offset;
        }

        private int PackedGatesOffset => FastTrain ? RecurrentCopyOffset(_spec.Layers) : (PackedSize + 15) / 16 * 16;

        private void EmitPackedConstants()
        {
            if (!Fast) return;
            var w = _w;
            w.Line("// Packed, transposed copy of the gate weights for the SIMD step (rebuilt whenever the parameters change).");
            for (int k = 0; k < _spec.Layers; k++)
            {
                w.Line("private const int QWeights" + I(k) + " = " + I(PackedLayerOffset(k)) + "; // [" + I(_spec.LayerInput(k)) + " + " + I(_spec.Hidden) + " rows, " + I(Gp) + " columns] in column panels");
                w.Line("private const int QBias" + I(k) + " = " + I(PackedLayerOffset(k) + PackedWeights(k)) + ";");
            }
            if (_spec.HasHead)
            {
                w.Line("private const int QDenseWeight = " + I(PackedDenseOffset) + "; // [" + I(_spec.Output) + ", " + I(Hp) + "]");
                w.Line("private const int QDenseBias = " + I(PackedDenseOffset + _spec.Output * Hp) + ";");
            }
            w.Line("private const int PackedSize = " + I(PackedSize) + ";");
            if (FastTrain)
            {
                for (int k = 0; k < _spec.Layers; k++)
                    w.Line("private const int QRecurrent" + I(k) + " = " + I(RecurrentCopyOffset(k)) + "; // row-major copy of weight_hh_l" + I(k) + " for the backward pass (64-byte aligned)");
            }
            w.Line("private const int QGates = " + I(PackedGatesOffset) + "; // the streaming step's gate pre-activations, after the packed copy (64-byte aligned)");
            w.Line("private const int PaddedHidden = " + I(Hp) + ";");
        }

        private void EmitPackedStorage()
        {
            if (!Fast) return;
            var w = _w;
            w.Line("// Pinned (never moves) with room to start the packed copy on a 64-byte boundary: every row is then a whole number of");
            w.Line("// cache lines, and a vector load never straddles two (misaligned Vector512 loads run at about half the speed).");
            w.Line("private readonly float[] _packed = global::System.GC.AllocateArray<float>(QGates + " + I(Gp) + " + 16, pinned: true);");
            w.Line("private int _packedOffset; // set by Repack");
            w.Line("private bool _packedStale = true;");
            if (AnyAlternates()) w.Line("private bool _reverse; // the SIMD step walks the gate panels backwards on every other call");
        }

        /// <summary>Rebuilds the packed copy from the canonical parameters (PyTorch layout).</summary>
        private void EmitRepack()
        {
            if (!Fast) return;
            var w = _w;
            var s = _spec;
            int h = s.Hidden;
            w.Open("private void Repack()");
            w.Line("long address = (long)global::System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(_packed, 0);");
            w.Line("_packedOffset = (int)((64 - address % 64) % 64 / 4);");
            w.Line("global::System.Span<float> q = global::System.MemoryExtensions.AsSpan(_packed, _packedOffset, PackedSize);");
            w.Line("float[] p = _parameters;");
            // No q.Clear(): every packed float a step reads is either written below or never written by anything (the padded
            // lanes, GRU's zero n(x)/n(h) blocks), so zero since the allocation; the array is pinned, so _packedOffset and the
            // layout never change. Clearing took 15% of shape A's repack (0.85 -> 0.72 us) and 3.5 us of shape E's (on Zen 5).
            w.Line("// Nothing to clear: what is not written here (padding, structural zeros) has been zero since the allocation, and no");
            w.Line("// other code writes the packed copy outside QGates; the array is pinned, so _packedOffset is the same on every call.");
            // The column panel width of the step that will run (the same IsHardwareAccelerated checks as the dispatch).
            string panelExpr = I(GroupVectors(4) * 4);
            var widths = new List<int>(Widths());
            for (int i = widths.Count - 1; i >= 0; i--)
                panelExpr = (widths[i] == 4 ? "" : Accelerated(widths[i]) + " ? " + I(GroupVectors(widths[i]) * widths[i]) + " : ") + panelExpr;
            w.Line("int panel = " + panelExpr + ";");
            for (int k = 0; k < s.Layers; k++)
            {
                var lt = _layout.Layers[k];
                int input = s.LayerInput(k);
                int rows = input + h;
                w.Line("// Layer " + I(k) + ": row j < " + I(input) + " is input j, row " + I(input) + " + j is hidden j; column = gate * " + I(Hp) + " + unit, in panels.");
                // Per gate, in runs of units that stay within one panel on both the input and the hidden side: PyTorch's
                // weight rows of those units, transposed into the panel rows (Kernels.Transpose works in register tiles).
                w.Open("for (int gate = 0; gate < " + I(s.GateRows / h) + "; gate++)");
                w.Line(s.Cell == Cell.Gru
                    ? "int xBase = (gate == 2 ? 3 : gate) * " + I(Hp) + ", hBase = gate * " + I(Hp) + "; // packed n(h) before n(x)"
                    : "int xBase = gate * " + I(Hp) + ", hBase = xBase;");
                w.Open("for (int u = 0, run; u < " + I(h) + "; u += run)");
                w.Line("int xd = QWeights" + I(k) + " + PanelColumn(xBase + u, " + I(rows) + ", " + I(Gp) + ", panel, out int xs), hd = QWeights" + I(k) + " + PanelColumn(hBase + u, " + I(rows) + ", " + I(Gp) + ", panel, out int hs) + " + I(input) + " * hs;");
                w.Line("run = global::System.Math.Min(" + I(h) + " - u, global::System.Math.Min(xs - (xBase + u) % panel, hs - (hBase + u) % panel));");
                w.Line(K + ".Transpose(global::System.MemoryExtensions.AsSpan(p, " + lt.WeightIh.Constant + " + (gate * " + I(h) + " + u) * " + I(input) + ", run * " + I(input) + "), " + I(input) + ", q.Slice(xd), xs);");
                w.Line(K + ".Transpose(global::System.MemoryExtensions.AsSpan(p, " + lt.WeightHh.Constant + " + (gate * " + I(h) + " + u) * " + I(h) + ", run * " + I(h) + "), " + I(h) + ", q.Slice(hd), hs);");
                w.Close();
                w.Close();
                // bias_ih + bias_hh per gate (a copy, then a vector add: the same bits); GRU's n keeps its two parts apart.
                string bih = "global::System.MemoryExtensions.AsSpan(p, " + lt.BiasIh.Constant, bhh = "global::System.MemoryExtensions.AsSpan(p, " + lt.BiasHh.Constant;
                int summed = s.Cell == Cell.Gru ? 2 : s.GateRows / h; // gates whose two biases are summed
                if (Hp == h || summed == 1)
                {
                    w.Line(bih + ", " + I(summed * h) + ").CopyTo(q.Slice(QBias" + I(k) + ", " + I(summed * h) + "));");
                    w.Line(K + ".Add(q.Slice(QBias" + I(k) + ", " + I(summed * h) + "), " + bhh + ", " + I(summed * h) + "));");
                }
                else
                {
                    w.Open("for (int gate = 0; gate < " + I(summed) + "; gate++)");
                    w.Line("global::System.Span<float> b = q.Slice(QBias" + I(k) + " + gate * " + I(Hp) + ", " + I(h) + ");");
                    w.Line(bih + " + gate * " + I(h) + ", " + I(h) + ").CopyTo(b);");
                    w.Line(K + ".Add(b, " + bhh + " + gate * " + I(h) + ", " + I(h) + "));");
                    w.Close();
                }
                if (s.Cell == Cell.Gru)
                {
                    w.Line(bih + " + " + I(2 * h) + ", " + I(h) + ").CopyTo(q.Slice(QBias" + I(k) + " + " + I(3 * Hp) + ", " + I(h) + ")); // n(x)");
                    w.Line(bhh + " + " + I(2 * h) + ", " + I(h) + ").CopyTo(q.Slice(QBias" + I(k) + " + " + I(2 * Hp) + ", " + I(h) + ")); // n(h)");
                }
            }
            if (s.HasHead)
            {
                w.Line("for (int o = 0; o < " + I(s.Output) + "; o++) global::System.MemoryExtensions.AsSpan(p, PDenseWeight + o * " + I(h) + ", " + I(h) + ").CopyTo(q.Slice(QDenseWeight + o * " + I(Hp) + ", " + I(h) + "));");
                w.Line("global::System.MemoryExtensions.AsSpan(p, PDenseBias, " + I(s.Output) + ").CopyTo(q.Slice(QDenseBias, " + I(s.Output) + "));");
            }
            if (FastTrain)
            {
                for (int k = 0; k < s.Layers; k++)
                    w.Line(K + ".Copy(global::System.MemoryExtensions.AsSpan(p, " + _layout.Layers[k].WeightHh.Constant + ", " + I(s.GateRows * h) + "), global::System.MemoryExtensions.AsSpan(_packed, _packedOffset + QRecurrent" + I(k) + ", " + I(s.GateRows * h) + "));");
            }
            w.Line("_packedStale = false;");
            w.Close();
            w.Line();
            w.Doc("The first float of the packed copy (64-byte aligned).");
            w.Line("private ref float PackedBase => ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(_packed), _packedOffset);");
            w.Line();
            w.Doc("Where packed column <paramref name=\"column\"/> starts (row 0) in a layer's matrix of <paramref name=\"rows\"/> rows and <paramref name=\"columns\"/> columns stored as column panels of <paramref name=\"panel\"/> floats (the last one narrower), each panel row-major; <paramref name=\"stride\"/> is that panel's width.");
            w.Open("private static int PanelColumn(int column, int rows, int columns, int panel, out int stride)");
            w.Line("int start = column / panel * panel;");
            w.Line("stride = global::System.Math.Min(panel, columns - start);");
            w.Line("return start * rows + column - start;");
            w.Close();
            w.Line();
        }

        /// <summary>The vector widths (in floats) this spec's padded hidden size allows, widest first.</summary>
        private IEnumerable<int> Widths()
        {
            if (Hp % 16 == 0) yield return 16;
            if (Hp % 8 == 0) yield return 8;
            yield return 4;
        }

        /// <summary>
        /// The emitted check that selects the code for vectors of <paramref name="width"/> floats: IsHardwareAccelerated, which
        /// the JIT folds; for Vector512 also <c>SimdEmulation.Vector512</c> (a static readonly field, folded at tier 1 too), the
        /// testing switch that runs the Vector512 code emulated on machines without AVX-512.
        /// </summary>
        private static string Accelerated(int width) => width == 16
            ? "(" + VectorClass(16) + ".IsHardwareAccelerated || global::RnnCodegen.SimdEmulation.Vector512)"
            : VectorClass(width) + ".IsHardwareAccelerated";

        private static string VectorClass(int width) => width == 16 ? "global::System.Runtime.Intrinsics.Vector512" : width == 8 ? "global::System.Runtime.Intrinsics.Vector256" : "global::System.Runtime.Intrinsics.Vector128";

        /// <summary>The dispatch at the top of StepCore: returns after the widest accelerated specialised step.</summary>
        private void EmitFastDispatch()
        {
            if (!Fast) return;
            var w = _w;
            w.Line("if (_packedStale) Repack();");
            foreach (int width in Widths())
            {
                w.Line("if (" + Accelerated(width) + ") { StepSimd" + I(width * 32) + "(x, state, output); return; }");
            }
        }

        private void EmitFastSteps()
        {
            if (!Fast) return;
            if (StepWavefront) EmitForwardWaveDispatch();
            foreach (int width in Widths()) EmitFastStep(width);
            if (!FastTrain) return;
            var w = _w;
            w.Doc("Runs every layer of training step t on the widest accelerated vectors, writing the tape; false when none is accelerated.");
            w.Open("private bool TrainLayersSimd(TrainingWorkspace ws, int t)");
            foreach (int width in Widths())
            {
                w.Line("if (" + Accelerated(width) + ") { TrainLayersSimd" + I(width * 32) + "(ws, t); return true; }");
            }
            w.Line("return false;");
            w.Close();
            w.Line();
            foreach (int width in Widths()) EmitFastTrainLayers(width);
        }

        /// <summary>
        /// Forward runs stacked layers as a wavefront: tick k runs layer L-1 at step k-L+1, ..., layer 0 at step k. The layers
        /// of a tick are independent (each reads what the tick before wrote), so the processor can start one while another
        /// is still in its activations; step by step, each layer waits for the one below. The top layer goes first in a tick,
        /// so that each layer reads the h below it before the layer below overwrites it. Every sum is the same, so are the
        /// results. Shape C (4 x LSTM(8)) on Zen 4, in-process against the step-by-step Forward, six instances each: 4-11%
        /// faster on Vector512, 4% on Vector256, unchanged on Vector128. Training keeps its step-by-step order: the same
        /// wavefront there gained 0-2%, within the noise.
        /// </summary>
        private bool StepWavefront => Fast && _spec.Layers > 1;

        /// <summary>Training uses the SIMD step when the tape's unpadded layout equals the packed one (H a multiple of the padding) and no dropout sits between layers.</summary>
        private bool FastTrain => Fast && _spec.Trainable && Hp == _spec.Hidden && !HasDropout;

        /// <summary>
        /// Whether Vector512 uses blocks of 4 gate vectors (column panels of 64 floats) instead of 8: an LSTM or RNN layer
        /// where a panel of 128 floats would not fit a 48 KB L1 (more than 96 rows). Its panels then take 33 KB at 129 rows
        /// instead of 66, so the panel read last in a step is still whole in L1 when the next step, walking the panels
        /// backwards (<see cref="Alternates"/>), reads it first; 4 vectors x 2 chains suffice for rows that come from L2.
        /// Shape E (LSTM 1 -> 128, 264 KB) on Zen 5: 1.70 -> 1.64 us per step. Where 128-float panels fit L1 (shape D,
        /// 80 rows) the halved blocks were slower: 410 -> 450 ns (twice the broadcasts, half the FMA chains).
        /// </summary>
        private bool PanelsForL1
        {
            get
            {
                if (_spec.Cell == Cell.Gru) return false;
                for (int k = 0; k < _spec.Layers; k++) if ((_spec.LayerInput(k) + _spec.Hidden) * 128 * 4 > 48 * 1024) return true;
                return false;
            }
        }

        /// <summary>
        /// Gate vectors per register block. Vector512: 8 (x2 chains = 16 of the 32 zmm registers; 4 for <see cref="PanelsForL1"/>). Vector256/128: at most 6
        /// (12 accumulators + 2 broadcasts fit the 16 registers of AVX2 and SSE machines), the blocks as even as possible;
        /// for GRU with two to eight vectors per gate, blocks as even as possible over the r, z and n(h) blocks the hidden rows
        /// reach (12 vectors: 6 + 6, then n(x)), emitted straight-line (<see cref="GruBlocksSpanGates"/>); otherwise for GRU
        /// a divisor of the vectors per gate block, so that every block lies in one gate block and the loops can skip the
        /// blocks a row cannot reach.
        /// </summary>
        private int GroupVectors(int width)
        {
            if (width == 16) return PanelsForL1 ? 4 : 8;
            int vectors = Gp / width;
            if (vectors <= 6) return vectors; // one block
            if (_spec.Cell == Cell.Gru)
            {
                int perGate = Hp / width;
                if (GruBlocksSpanGates(width))
                {
                    int hiddenVectors = 3 * perGate, hiddenBlocks = (hiddenVectors + 5) / 6;
                    return (hiddenVectors + hiddenBlocks - 1) / hiddenBlocks;
                }
                for (int g = 6; g > 1; g--) if (perGate % g == 0) return g;
                return 1;
            }
            int blocks = (vectors + 5) / 6;
            return (vectors + blocks - 1) / blocks;
        }

        /// <summary>
        /// Whether packed column <paramref name="column"/> can be non-zero in an input row (<paramref name="inputRow"/>) or a
        /// hidden row: GRU's n(x) block has only input weights and its n(h) block only hidden ones; LSTM and RNN use all.
        /// </summary>
        private bool RowUsesColumn(bool inputRow, int column)
        {
            if (_spec.Cell != Cell.Gru) return true;
            return inputRow ? column < 2 * Hp || column >= 3 * Hp : column < 3 * Hp;
        }

        /// <summary>
        /// GRU on 16-register widths with 2 to 8 vectors per gate (shape B, GRU 1 -> 32, on Vector256 and Vector128): the
        /// register blocks span the gate blocks, straight-line (at most 6 blocks), each row skipping the vectors it cannot
        /// reach. Blocks within one gate (4 vectors, 8 accumulators) were slower: Step B on Zen 3, old and new code in one
        /// process, 156-163 -> 152-156 ns on Vector256 and 331-346 -> 311-330 ns on Vector128, with the same bits.
        /// </summary>
        private bool GruBlocksSpanGates(int width)
        {
            if (_spec.Cell != Cell.Gru || width == 16) return false;
            int perGate = Hp / width;
            return perGate >= 2 && perGate <= 8;
        }

        /// <summary>
        /// Whether the width's gemv alternates the direction of its walk over the column panels from one time step to the next
        /// (whole register blocks in one run): the panels read last in a step are then the first ones of the next, still in
        /// L1 when the layer's matrix is a little larger than it (shape D, LSTM 16 -> 64: 80 KB, 600 -> 450 ns on Zen 5).
        /// The panels are independent sums, so the order changes no result.
        /// </summary>
        private bool Alternates(int width)
        {
            int groupVectors = GroupVectors(width), vectors = Gp / width;
            return vectors / groupVectors >= 2 && vectors % groupVectors == 0 && !(_spec.Cell == Cell.Gru && Hp % (groupVectors * width) == 0)
                && !GruBlocksSpanGates(width);
        }

        /// <summary>
        /// Whether the step applies the LSTM gate activations to each register block as soon as its sums are complete, from the
        /// registers, instead of in loops over the gate scratch after the whole matrix: a loop over two or more register
        /// blocks that each lie in one gate (Hidden a multiple of the block: Vector512 with <see cref="PanelsForL1"/>, shape E).
        /// There the rows stream from L2 and the FP units have room, so the activations of one block run under the next
        /// block's rows. Shape E on Zen 5, old and new code in one process: 1.58-1.65 -> 1.53-1.56 us, the same bits.
        /// </summary>
        private bool ActivationsPerBlock(int width)
        {
            if (_spec.Cell != Cell.Lstm || GatesInRegisters(width)) return false;
            int blockFloats = GroupVectors(width) * width;
            return Gp / blockFloats >= 2 && Hp % blockFloats == 0;
        }

        private bool AnyAlternates()
        {
            foreach (int width in Widths()) if (Alternates(width)) return true;
            return false;
        }

        /// <summary>
        /// Whether the layer's gate pre-activations stay in registers (p0, p1, ...) instead of going through the gate scratch:
        /// when one register block holds them and each gate is one vector (Hidden up to the width, as in small stacked models:
        /// the store and reload sat on the latency chain from one layer to the next; shape C, 4 x LSTM(8), 182 -> 165 ns on Zen 5).
        /// With more unit vectors per gate the unrolled cell update spills and is slower, except for GRU with two vectors per
        /// gate (<see cref="GatePairsInRegisters"/>).
        /// </summary>
        private bool GatesInRegisters(int width) => (Hp == width || GatePairsInRegisters(width)) && Gp / width <= GroupVectors(width);

        /// <summary>
        /// GRU with two unit vectors per gate whose gates all fit one register block (Vector512, Hidden 17 to 32: shape B): the
        /// eight sums stay in registers. Shape B on Zen 5, old and new code in one process: 58-60 -> 52-53.5 ns, the same bits,
        /// with the cell update as a loop over the two unit vectors that picked each gate's register (<c>blk == 0 ? p0 :
        /// p1</c>); written out for both unit vectors, that update spilled (60-62 ns). Since <c>Activations.GruCell</c> (each
        /// division followed by one multiply-add) the update is written out, two calls: 52.9-55.9 -> 50.8-53.6 ns, where the
        /// same call in the loop gained nothing. LSTM's five activations per vector were slower either way (A: 77-79 -> 79-81 ns).
        /// </summary>
        private bool GatePairsInRegisters(int width) => _spec.Cell == Cell.Gru && Hp == 2 * width && Gp / width <= GroupVectors(width);

        /// <summary>Gate <paramref name="gate"/> (gate blocks <paramref name="stride"/> floats apart) at unit offset u: its register or its load from the scratch g.</summary>
        private string Gate(int width, int gate, int stride, System.Func<string, string, string> load)
        {
            if (GatePairsInRegisters(width)) return "(blk == 0 ? p" + I(2 * gate) + " : p" + I(2 * gate + 1) + ")";
            return GatesInRegisters(width) ? "p" + I(gate) : load("g", gate == 0 ? "u" : I(gate * stride) + " + u");
        }

        /// <summary>Opens the cell update's loop over the unit vectors u (<see cref="OpenUnitLoop"/>); for <see cref="GatePairsInRegisters"/> the loop over the two register blocks.</summary>
        private void OpenCellLoop(CodeWriter w, int width, int hidden)
        {
            if (!GatePairsInRegisters(width)) { OpenUnitLoop(w, 0, hidden, width); return; }
            w.Open("for (int blk = 0; blk < 2; blk++)");
            w.Line("nuint u = (nuint)(blk * " + I(width) + ");");
        }

        /// <summary>The comment over a cell update whose gate sums stay in registers.</summary>
        private string RegisterComment(int width) => GatePairsInRegisters(width)
            ? "// Two vectors per gate: the pre-activations p0.. never leave the registers; the loop picks each unit vector's."
            : "// One vector per gate: the pre-activations p0.. never leave the registers.";

        private void EmitGemv(CodeWriter w, int k, int width, string inputSource, string hiddenSource, string gatesRef, bool activate = false)
        {
            string V = VectorClass(width);
            string VT = V + "<float>";
            string Load(string reference, string offset) => LoadAt(V, reference, offset);
            int groupVectors = GroupVectors(width);
            int blockFloats = groupVectors * width;
            int vectors = Gp / width;
            int fullGroups = vectors / groupVectors;
            w.Line("ref float rows = ref " + U + ".Add(ref q, QWeights" + I(k) + ");");
            w.Line("ref float bias = ref " + U + ".Add(ref q, QBias" + I(k) + ");");
            // Two or more whole register blocks: loops over the blocks (the method size stays the same for any Hidden), one
            // per run of gate blocks that takes the same rows (GRU: the n(x) block takes only the input rows, n(h) only the
            // hidden ones); one block, and the remainder, straight-line, skipping the vectors a row cannot reach.
            int first = 0;
            if (fullGroups >= 2 && !GruBlocksSpanGates(width))
            {
                var runs = new List<(int From, int To)>();
                bool gateRuns = _spec.Cell == Cell.Gru && Hp % blockFloats == 0;
                if (gateRuns) { runs.Add((0, 2 * Hp)); runs.Add((2 * Hp, 3 * Hp)); runs.Add((3 * Hp, 4 * Hp)); }
                else runs.Add((0, fullGroups * blockFloats));
                foreach (var (from, to) in runs)
                {
                    // The scratch column of the block's vector v: a fixed shift within a gate run; for GRU blocks that may
                    // span gate blocks (Vector512 with Hidden not a multiple of 128), GateColumn at run time.
                    int shift = GateColumn(from) - from;
                    string StoreAt(string at)
                    {
                        if (_spec.Cell != Cell.Gru || (gateRuns && shift == 0)) return Offset(at);
                        if (gateRuns) return "(nuint)(" + at + (shift > 0 ? " + " : " - ") + I(System.Math.Abs(shift)) + ")";
                        string c = "(" + at + ")";
                        return "(" + c + " < " + I(2 * Hp) + " ? " + c + " : " + c + " < " + I(3 * Hp) + " ? " + c + " + " + I(Hp) + " : " + c + " - " + I(Hp) + ")";
                    }
                    if (Alternates(width))
                    {
                        int count = (to - from) / blockFloats;
                        w.Open("for (nuint i = 0; i < " + I(count) + "; i++)");
                        w.Line("nuint block = (reverse ? " + I(count - 1) + " - i : i) * " + I(blockFloats) + (from == 0 ? "" : " + " + I(from)) + ";");
                    }
                    else w.Open("for (nuint block = " + I(from) + "; block < " + I(to) + "; block += " + I(blockFloats) + ")");
                    EmitGemvBlock(w, k, width, inputSource, hiddenSource, gatesRef, groupVectors, "block", Load, V, VT,
                        _ => RowUsesColumn(true, from), _ => RowUsesColumn(false, from), (_, at) => StoreAt(at), activate);
                    w.Close();
                }
                first = fullGroups * groupVectors;
            }
            if (GatesInRegisters(width))
            {
                var names = new List<string>();
                for (int v = 0; v < vectors; v++) names.Add("p" + I(v));
                w.Line(VT + " " + string.Join(", ", names) + ";");
                gatesRef = ""; // EmitGemvBlock: assign p0.. instead of storing
            }
            for (; first < vectors; first += groupVectors)
            {
                int n = System.Math.Min(groupVectors, vectors - first), column = first * width;
                w.Open("");
                EmitGemvBlock(w, k, width, inputSource, hiddenSource, gatesRef, n, I(column), Load, V, VT,
                    v => RowUsesColumn(true, column + v * width), v => RowUsesColumn(false, column + v * width),
                    (v, at) => _spec.Cell == Cell.Gru ? I(GateColumn(column + v * width)) : Offset(at));
                w.Close();
            }
        }

        /// <summary>
        /// One register block of <paramref name="n"/> gate vectors starting at column <paramref name="column"/>: bias, then every
        /// row, then the store. Rows go round-robin to independent accumulator chains (two; four when the block is one or two
        /// vectors, where the FMA latency rather than the throughput would bound it). Above layer 0 the recurrent rows come
        /// first: they need only this layer's previous state, so the CPU runs them while the layer below finishes its step.
        /// <paramref name="inputUses"/> and <paramref name="hiddenUses"/> say which of the block's vectors the input and the
        /// hidden rows reach (the others are zero in those rows and are skipped). An empty <paramref name="gatesRef"/> assigns
        /// the sums to the registers p0.. (<see cref="GatesInRegisters"/>) instead of storing them.
        /// </summary>
        private void EmitGemvBlock(CodeWriter w, int k, int width, string inputSource, string hiddenSource, string gatesRef, int n, string column,
            System.Func<string, string, string> load, string V, string VT, System.Func<int, bool> inputUses, System.Func<int, bool> hiddenUses,
            System.Func<int, string, string> storeAt, bool activate = false)
        {
            int inSize = _spec.LayerInput(k);
            int chains = n <= 2 ? 4 : 2;
            string At(int v) => column == "0" ? I(v * width) : v == 0 ? column : column + " + " + I(v * width);
            // The block's column panel: its rows (n vectors wide) follow one another, after the full panels to its left.
            int rowCount = inSize + _spec.Hidden;
            string panel = column == "0" ? "rows" : "panel";
            if (column != "0") w.Line("ref float panel = ref " + U + ".Add(ref rows, " + column + " * " + I(rowCount) + ");");
            for (int v = 0; v < n; v++)
            {
                string line = VT + " " + Acc(0, v) + " = " + load("bias", At(v));
                for (int c = 1; c < chains; c++) line += ", " + Acc(c, v) + " = " + VT + ".Zero";
                w.Line(line + ";");
            }
            if (k == 0)
            {
                EmitRows(w, load, VT, V, inputSource, "0", inSize, n, panel, width, chains, inputUses);
                EmitRows(w, load, VT, V, hiddenSource, I(inSize), _spec.Hidden, n, panel, width, chains, hiddenUses);
            }
            else
            {
                EmitRows(w, load, VT, V, hiddenSource, I(inSize), _spec.Hidden, n, panel, width, chains, hiddenUses);
                EmitRows(w, load, VT, V, inputSource, "0", inSize, n, panel, width, chains, inputUses);
            }
            string Sum(int v) => chains == 4 ? "(" + Acc(0, v) + " + " + Acc(1, v) + ") + (" + Acc(2, v) + " + " + Acc(3, v) + ")" : Acc(0, v) + " + " + Acc(1, v);
            if (activate)
            {
                // ActivationsPerBlock: the block lies in one gate, g (tanh) or i, f, o (sigmoid).
                var sums = new List<string>();
                for (int v = 0; v < n; v++) sums.Add("s" + I(v) + " = " + Sum(v));
                w.Line(VT + " " + string.Join(", ", sums) + ";");
                void Activate(string function)
                {
                    for (int v = 0; v < n; v++) w.Line(V + ".StoreUnsafe(" + A + "." + function + "(s" + I(v) + "), ref " + gatesRef + ", " + storeAt(v, At(v)) + ");");
                }
                // column is a nuint: below the g block the subtraction wraps to a huge value, so one comparison picks g.
                w.Open("if (" + column + " - " + I(2 * Hp) + " < " + I(Hp) + ")");
                Activate("Tanh");
                w.Close();
                w.Open("else");
                Activate("Sigmoid");
                w.Close();
                return;
            }
            for (int v = 0; v < n; v++)
                w.Line(gatesRef.Length == 0 ? "p" + I(GateColumn(v * width) / width) + " = " + Sum(v) + ";" : V + ".StoreUnsafe(" + Sum(v) + ", ref " + gatesRef + ", " + storeAt(v, At(v)) + ");");
        }

        /// <summary>Accumulator of chain <paramref name="chain"/> for vector <paramref name="v"/> of a register block: a0, b0, c0, d0, a1...</summary>
        private static string Acc(int chain, int v) => "abcd"[chain] + I(v);

        private void EmitFastTrainLayers(int width)
        {
            var w = _w;
            int L = _spec.Layers;
            if (L > 1)
            {
                // One method per layer, as in the step (EmitFastStep says why).
                w.Open("private void TrainLayersSimd" + I(width * 32) + "(TrainingWorkspace ws, int t)");
                for (int k = 0; k < L; k++) w.Line("TrainLayer" + I(k) + "Simd" + I(width * 32) + "(ws, t);");
                w.Close();
                w.Line();
            }
            for (int layer = 0; layer < L; layer++)
            {
                if (L > 1 && layer > 0) w.Line();
                if (L > 1) EmitNoInlining();
                EmitSkipLocalsInit();
                w.Open("private void " + (L > 1 ? "TrainLayer" + I(layer) + "Simd" : "TrainLayersSimd") + I(width * 32) + "(TrainingWorkspace ws, int t)");
                EmitFastTrainLayer(w, layer, width);
                w.Close();
            }
            w.Line();
        }

        /// <summary>Marks a stacked model's per-layer method NoInlining: it must keep its own small frame (EmitFastStep says why).</summary>
        private void EmitNoInlining() => _w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");

        /// <summary>Layer <paramref name="k"/> of the SIMD training step: the tape references, the gate sums, the cell update.</summary>
        private void EmitFastTrainLayer(CodeWriter w, int k, int width)
        {
            var s = _spec;
            int h = s.Hidden, L = s.Layers;
            string V = VectorClass(width);
            string VT = V + "<float>";
            string Load(string reference, string offset) => LoadAt(V, reference, offset);
            w.Line("ref float q = ref PackedBase;");
            w.Line("ref float g = ref " + MM + ".GetArrayDataReference(ws.Scratch);");
            w.Line("ref float tapeH = ref " + MM + ".GetArrayDataReference(ws.TapeH);");
            w.Line("ref float gates = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(ws.TapeGates), t * " + I(L * GateTape) + ");");
            if (s.Cell == Cell.Lstm)
            {
                w.Line("ref float tapeC = ref " + MM + ".GetArrayDataReference(ws.TapeC);");
                w.Line("ref float tanhC = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(ws.TapeTanhC), t * " + I(L * h) + ");");
            }
            w.Line("ref float input = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(ws.TapeInputs), t * InputSize);");
            if (Alternates(width)) w.Line("bool reverse = (t & 1) != 0; // the panel walk alternates, as in the step");
            w.Line("// Layer " + I(k) + " at step t: h(t-1) from tape slot t, the new state into slot t + 1.");
            w.Open("");
            w.Line("ref float hp = ref " + U + ".Add(ref tapeH, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ");");
            w.Line("ref float hn = ref " + U + ".Add(ref tapeH, ((t + 1) * " + I(L) + " + " + I(k) + ") * " + I(h) + ");");
            if (k > 0) w.Line("ref float below = ref " + U + ".Add(ref tapeH, ((t + 1) * " + I(L) + " + " + I(k - 1) + ") * " + I(h) + ");");
            w.Line("ref float gt = ref " + U + ".Add(ref gates, " + I(k * GateTape) + ");");
            if (s.Cell == Cell.Lstm)
            {
                w.Line("ref float cp = ref " + U + ".Add(ref tapeC, (t * " + I(L) + " + " + I(k) + ") * " + I(h) + ");");
                w.Line("ref float cn = ref " + U + ".Add(ref tapeC, ((t + 1) * " + I(L) + " + " + I(k) + ") * " + I(h) + ");");
                w.Line("ref float tc = ref " + U + ".Add(ref tanhC, " + I(k * h) + ");");
            }
            EmitGemv(w, k, width, k == 0 ? "input" : "below", "hp", "g");
            if (GatesInRegisters(width)) w.Line(RegisterComment(width));
            else if (s.Cell != Cell.Rnn)
            {
                EmitGateActivationLoops(w, width, s.Cell, h, "gt");
                OpenUnitLoop(w, 0, h, width);
                if (s.Cell == Cell.Lstm)
                {
                    w.Line(VT + " o = " + Load("gt", I(3 * h) + " + u") + ";");
                    w.Line(VT + " c = " + Load("gt", I(h) + " + u") + " * " + Load("cp", "u") + " + " + Load("gt", "u") + " * " + Load("gt", I(2 * h) + " + u") + ";");
                    w.Line(VT + " tanh = " + A + ".Tanh(c);");
                    w.Line(V + ".StoreUnsafe(c, ref cn, u); " + V + ".StoreUnsafe(tanh, ref tc, u); " + V + ".StoreUnsafe(o * tanh, ref hn, u);");
                }
                else
                {
                    w.Line(VT + " nh = " + Load("g", I(3 * h) + " + u") + ";");
                    w.Line(VT + " n = " + A + ".Tanh(" + Load("g", I(2 * h) + " + u") + " + " + Load("gt", "u") + " * nh);");
                    w.Line(V + ".StoreUnsafe(n, ref gt, " + I(2 * h) + " + u); " + V + ".StoreUnsafe(nh, ref gt, " + I(5 * h) + " + u);");
                    w.Line(V + ".StoreUnsafe(n + " + Load("gt", I(h) + " + u") + " * (" + Load("hp", "u") + " - n), ref hn, u);");
                }
                w.Close();
                w.Close();
                return;
            }
            OpenCellLoop(w, width, h);
            switch (s.Cell)
            {
                case Cell.Lstm:
                    EmitLstmGateActivations(w, width, VT, Load, h);
                    w.Line(VT + " c = f * " + Load("cp", "u") + " + i * gg;");
                    w.Line(VT + " tanh = " + A + ".Tanh(c);");
                    w.Line(V + ".StoreUnsafe(i, ref gt, u); " + V + ".StoreUnsafe(f, ref gt, " + I(h) + " + u); " + V + ".StoreUnsafe(gg, ref gt, " + I(2 * h) + " + u); " + V + ".StoreUnsafe(o, ref gt, " + I(3 * h) + " + u);");
                    w.Line(V + ".StoreUnsafe(c, ref cn, u); " + V + ".StoreUnsafe(tanh, ref tc, u); " + V + ".StoreUnsafe(o * tanh, ref hn, u);");
                    break;
                case Cell.Gru:
                    w.Line(VT + " r = " + A + ".Sigmoid(" + Gate(width, 0, h, Load) + ");");
                    w.Line(VT + " z = " + A + ".Sigmoid(" + Gate(width, 1, h, Load) + ");");
                    w.Line(VT + " nh = " + Gate(width, 3, h, Load) + ";");
                    w.Line(VT + " n = " + A + ".Tanh(" + Gate(width, 2, h, Load) + " + r * nh);");
                    w.Line(V + ".StoreUnsafe(r, ref gt, u); " + V + ".StoreUnsafe(z, ref gt, " + I(h) + " + u); " + V + ".StoreUnsafe(n, ref gt, " + I(2 * h) + " + u); " + V + ".StoreUnsafe(nh, ref gt, " + I(5 * h) + " + u);");
                    w.Line(V + ".StoreUnsafe(n + z * (" + Load("hp", "u") + " - n), ref hn, u);");
                    break;
                default:
                    w.Line(VT + " a = " + Gate(width, 0, h, Load) + ";");
                    w.Line(V + ".StoreUnsafe(a, ref gt, u);");
                    w.Line(s.Activation == 1 ? V + ".StoreUnsafe(" + V + ".Max(a, " + VT + ".Zero), ref hn, u);" : V + ".StoreUnsafe(" + A + ".Tanh(a), ref hn, u);");
                    break;
            }
            w.Close();
            w.Close();
        }

        private void EmitFastStep(int width)
        {
            var w = _w;
            var s = _spec;
            int h = s.Hidden, L = s.Layers;
            string V = VectorClass(width);
            string VT = V + "<float>";
            string Load(string reference, string offset) => LoadAt(V, reference, offset);
            int groupVectors = GroupVectors(width);
            int vectors = Gp / width;
            // Stacked layers: one method per layer. With every layer inlined into one method the JIT kept the activations'
            // temporaries on the stack (shape C, 4 x LSTM(8), on Vector256, Zen 3: a 4 KiB frame and 440 -> 240 ns per step).
            bool split = L > 1;

            w.Line("// " + CellName + " step on " + V.Substring(V.LastIndexOf('.') + 1) + ": " + I(vectors) + " gate vectors per layer in blocks of " + I(groupVectors) + " (two FMA chains each; four for blocks of one or two).");
            EmitSkipLocalsInit();
            w.Open("private void StepSimd" + I(width * 32) + "(" + ReadOnlySpan + " x, " + Span + " state, " + Span + " output)");
            w.Line("ref float q = ref PackedBase;");
            w.Line("ref float g = ref " + U + ".Add(ref q, QGates);");
            w.Line("ref float st = ref " + MM + ".GetReference(state);");
            w.Line("ref float input = ref " + MM + ".GetReference(x);");
            if (Alternates(width)) w.Line("bool reverse = _reverse = !_reverse;");
            for (int k = 0; k < L; k++)
            {
                if (split) w.Line("StepLayer" + I(k) + "Simd" + I(width * 32) + "(ref q, ref g, ref st, ref input" + (Alternates(width) ? ", reverse" : "") + ");");
                else EmitFastStepLayer(w, k, width);
            }
            w.Line("if (output.Length == 0) return;");
            if (split)
            {
                w.Line("HeadSimd" + I(width * 32) + "(ref q, ref st, output);");
                w.Close();
                w.Line();
                w.Doc("The head on the top layer's h in <paramref name=\"st\"/>, into <paramref name=\"output\"/> (one row).");
                w.Open("private void HeadSimd" + I(width * 32) + "(ref float q, ref float st, " + Span + " output)");
            }
            w.Line("ref float top = ref " + U + ".Add(ref st, " + I(HOffset(L - 1)) + ");");
            if (!s.HasHead)
            {
                w.Line(MM + ".CreateReadOnlySpan(ref top, " + I(h) + ").CopyTo(output);");
            }
            else
            {
                bool softmax = s.OutputActivation == ModelSpec.OutputActivationSoftmax;
                w.Line("// Dense head " + I(h) + " -> " + I(s.Output) + ", " + HeadName + ": one vector dot product per output.");
                w.Line(Span + " logits = " + (softmax ? "global::System.MemoryExtensions.AsSpan(_scratch, " + I(ScratchSize - s.Output) + ", " + I(s.Output) + ")" : "output") + ";");
                w.Open("for (int o = 0; o < " + I(s.Output) + "; o++)");
                w.Line("ref float row = ref " + U + ".Add(ref q, QDenseWeight + o * " + I(Hp) + ");");
                w.Line(VT + " sum = " + VT + ".Zero;");
                w.Line("for (nuint u = 0; u < " + I(Hp) + "; u += " + I(width) + ") sum = " + FmaExpr(V, Load("top", "u"), Load("row", "u"), "sum") + ";");
                w.Line("logits[o] = " + V + ".Sum(sum) + " + U + ".Add(ref q, QDenseBias + o);");
                w.Close();
                if (softmax) w.Line(K + ".Softmax(logits, output);");
                if (s.OutputActivation == ModelSpec.OutputActivationSigmoid) w.Line(A + ".Sigmoid(output);");
                if (s.OutputActivation == ModelSpec.OutputActivationTanh) w.Line(A + ".Tanh(output);");
            }
            w.Close();
            w.Line();
            if (!split) return;
            for (int k = 0; k < L; k++)
            {
                EmitNoInlining();
                EmitSkipLocalsInit();
                w.Open("private static void StepLayer" + I(k) + "Simd" + I(width * 32) + "(ref float q, ref float g, ref float st, ref float input" + (Alternates(width) ? ", bool reverse" : "") + ")");
                EmitFastStepLayer(w, k, width);
                w.Close();
                w.Line();
            }
            EmitForwardWave(width);
        }

        /// <summary>The dispatch of Forward's wavefront (StepWavefront): false when no vector width is accelerated.</summary>
        private void EmitForwardWaveDispatch()
        {
            var w = _w;
            string inputs = _spec.HasTokens ? "tokens" : "inputs";
            w.Doc("Forward's steps from the zeroed _forwardState with the stacked layers as a wavefront; false when no vector width is accelerated (the caller then runs StepCore per step).");
            w.Open("private bool ForwardWave(" + (_spec.HasTokens ? "global::System.ReadOnlySpan<int>" : ReadOnlySpan) + " " + inputs + ", " + Span + " outputs, int steps)");
            w.Line("if (_packedStale) Repack();");
            foreach (int width in Widths())
            {
                w.Line("if (" + Accelerated(width) + ") { ForwardWaveSimd" + I(width * 32) + "(" + inputs + ", outputs, steps); return true; }");
            }
            w.Line("return false;");
            w.Close();
            w.Line();
        }

        /// <summary>Forward's wavefront (StepWavefront) on vectors of <paramref name="width"/> floats, over the split layer methods.</summary>
        private void EmitForwardWave(int width)
        {
            var w = _w;
            var s = _spec;
            int L = s.Layers;
            string W = I(width * 32);
            string reverse = Alternates(width) ? ", reverse" : "";
            w.Open("private void ForwardWaveSimd" + W + "(" + (s.HasTokens ? "global::System.ReadOnlySpan<int> tokens" : ReadOnlySpan + " inputs") + ", " + Span + " outputs, int steps)");
            w.Line("ref float q = ref PackedBase;");
            w.Line("ref float g = ref " + U + ".Add(ref q, QGates);");
            w.Line("ref float st = ref " + MM + ".GetArrayDataReference(_forwardState);");
            w.Line(s.HasTokens
                ? "ref float input = ref " + U + ".Add(ref " + MM + ".GetArrayDataReference(_parameters), PEmbedding);"
                : "ref float input = ref " + MM + ".GetReference(inputs);");
            if (Alternates(width)) w.Line("bool reverse = _reverse;");
            string bottomInput = s.HasTokens ? "ref " + U + ".Add(ref input, tokens[k] * InputSize)" : "ref " + U + ".Add(ref input, k * InputSize)";
            w.Open("for (int k = 0; k < steps + " + I(L - 1) + "; k++)");
            if (Alternates(width)) w.Line("reverse = !reverse;");
            for (int layer = L - 1; layer >= 0; layer--)
            {
                string step = layer == 0 ? "k" : "k - " + I(layer);
                string run = "StepLayer" + I(layer) + "Simd" + W + "(ref q, ref g, ref st, " + (layer == 0 ? bottomInput : "ref input") + reverse + ");";
                if (layer == 0)
                {
                    w.Line("if (k < steps) " + run);
                    continue;
                }
                w.Open("if ((uint)(" + step + ") < (uint)steps)");
                w.Line(run);
                if (layer == L - 1)
                {
                    w.Line(s.IsLast
                        ? "if (" + step + " == steps - 1) HeadSimd" + W + "(ref q, ref st, outputs);"
                        : "HeadSimd" + W + "(ref q, ref st, outputs.Slice((" + step + ") * OutputWidth, OutputWidth));");
                }
                w.Close();
            }
            w.Close();
            if (Alternates(width)) w.Line("_reverse = reverse;");
            w.Close();
            w.Line();
        }

        /// <summary>Layer <paramref name="k"/> of the SIMD step on vectors of <paramref name="width"/> floats: the gate sums, then the cell update (q, g, st, input and reverse in scope).</summary>
        private void EmitFastStepLayer(CodeWriter w, int k, int width)
        {
            var s = _spec;
            string V = VectorClass(width);
            string VT = V + "<float>";
            string Load(string reference, string offset) => LoadAt(V, reference, offset);
            string src = k == 0 ? "input" : "below";
            w.Line("// Layer " + I(k) + ": gates = bias + [x | h] rows of the packed matrix.");
            w.Open("");
            if (k > 0) w.Line("ref float below = ref " + U + ".Add(ref st, " + I(HOffset(k - 1)) + ");");
            w.Line("ref float hk = ref " + U + ".Add(ref st, " + I(HOffset(k)) + ");");
            if (s.Cell == Cell.Lstm) w.Line("ref float ck = ref " + U + ".Add(ref st, " + I(COffset(k)) + ");");
            // Gate pre-activations: bias + the layer input's and the hidden state's rows (EmitGemvBlock says in which order).
            EmitGemv(w, k, width, src, "hk", "g", ActivationsPerBlock(width));
            // The cell update on whole vectors (padded lanes stay exactly zero).
            if (s.Cell == Cell.Gru && GatePairsInRegisters(width)) w.Line("// Two vectors per gate: the pre-activations p0.. never leave the registers; one GruCell per unit vector.");
            else if (GatesInRegisters(width)) w.Line(RegisterComment(width));
            else if (s.Cell != Cell.Rnn)
            {
                if (!ActivationsPerBlock(width)) EmitGateActivationLoops(w, width, s.Cell, Hp, "g");
                OpenUnitLoop(w, 0, Hp, width);
                if (s.Cell == Cell.Lstm)
                {
                    w.Line(VT + " c = " + Load("g", I(Hp) + " + u") + " * " + Load("ck", "u") + " + " + Load("g", "u") + " * " + Load("g", I(2 * Hp) + " + u") + ";");
                    w.Line(V + ".StoreUnsafe(c, ref ck, u);");
                    w.Line(V + ".StoreUnsafe(" + Load("g", I(3 * Hp) + " + u") + " * " + A + ".Tanh(c), ref hk, u);");
                }
                else
                {
                    w.Line(VT + " n = " + A + ".Tanh(" + Load("g", I(2 * Hp) + " + u") + " + " + Load("g", "u") + " * " + Load("g", I(3 * Hp) + " + u") + ");");
                    w.Line(V + ".StoreUnsafe(n + " + Load("g", I(Hp) + " + u") + " * (" + Load("hk", "u") + " - n), ref hk, u);");
                }
                w.Close();
                w.Close();
                return;
            }
            if (s.Cell == Cell.Gru && GatePairsInRegisters(width))
            {
                // Both unit vectors' cells written out, not in the loop over the two blocks (see GatePairsInRegisters).
                w.Line(VT + " h0 = " + A + ".GruCell(p0, p2, p4, p6, " + Load("hk", "0") + ");");
                w.Line(VT + " h1 = " + A + ".GruCell(p1, p3, p5, p7, " + Load("hk", I(width)) + ");");
                w.Line(V + ".StoreUnsafe(h0, ref hk, 0);");
                w.Line(V + ".StoreUnsafe(h1, ref hk, " + I(width) + ");");
                w.Close();
                return;
            }
            OpenCellLoop(w, width, Hp);
            switch (s.Cell)
            {
                case Cell.Lstm:
                    EmitLstmGateActivations(w, width, VT, Load, Hp);
                    w.Line(VT + " c = f * " + Load("ck", "u") + " + i * gg;");
                    w.Line(V + ".StoreUnsafe(c, ref ck, u);");
                    w.Line(V + ".StoreUnsafe(o * " + A + ".Tanh(c), ref hk, u);");
                    break;
                case Cell.Gru:
                    // r, z, n and the blend in one call whose divisions are followed by one multiply-add each (the step's
                    // critical path runs through r, n and the new state; same results within float rounding).
                    w.Line(V + ".StoreUnsafe(" + A + ".GruCell(" + Gate(width, 0, Hp, Load) + ", " + Gate(width, 1, Hp, Load) + ", " + Gate(width, 2, Hp, Load) + ", " + Gate(width, 3, Hp, Load) + ", " + Load("hk", "u") + "), ref hk, u);");
                    break;
                default:
                    w.Line(s.Activation == 1
                        ? V + ".StoreUnsafe(" + V + ".Max(" + Gate(width, 0, Hp, Load) + ", " + VT + ".Zero), ref hk, u);"
                        : V + ".StoreUnsafe(" + A + ".Tanh(" + Gate(width, 0, Hp, Load) + "), ref hk, u);");
                    break;
            }
            w.Close();
            w.Close();
        }

        /// <summary>
        /// Opens the loop over the unit vectors u = from, from + width, ... below <paramref name="to"/>; for a single vector a
        /// plain block that sets u. The JIT does not unroll a loop of one iteration, and treated everything around it as
        /// loop-carried: it hoisted the activations' constants in front of it and spilled them (shape C's layers).
        /// </summary>
        private static void OpenUnitLoop(CodeWriter w, int from, int to, int width)
        {
            if (to - from > width) w.Open("for (nuint u = " + I(from) + "; u < " + I(to) + "; u += " + I(width) + ")");
            else
            {
                w.Open("");
                w.Line("nuint u = " + I(from) + ";");
            }
        }

        /// <summary>
        /// The gate activations of a layer as loops over whole gates, from the pre-activations in the gate scratch g into
        /// <paramref name="target"/> (g itself, or the training tape): LSTM sigmoid(i, f), tanh(g), sigmoid(o); GRU
        /// sigmoid(r, z). Every vector is independent of the others, so the out-of-order core overlaps them; the cell update
        /// that follows then only waits on tanh(c) (GRU: tanh(n)). One loop per unit vector with all four gates inside made
        /// each iteration one long dependency chain (shape A on Vector256, Zen 3: 237 -> 203 ns). Same operations, same results.
        /// </summary>
        private void EmitGateActivationLoops(CodeWriter w, int width, Cell cell, int stride, string target)
        {
            string v = VectorClass(width);
            void Loop(int from, int to, string function, string comment)
            {
                w.Line("// " + comment);
                OpenUnitLoop(w, from, to, width);
                w.Line(v + ".StoreUnsafe(" + A + "." + function + "(" + LoadAt(v, "g", "u") + "), ref " + target + ", u);");
                w.Close();
            }
            Loop(0, 2 * stride, "Sigmoid", cell == Cell.Lstm ? "i, f" : "r, z");
            if (cell != Cell.Lstm) return;
            Loop(2 * stride, 3 * stride, "Tanh", "g");
            Loop(3 * stride, 4 * stride, "Sigmoid", "o");
        }

        /// <summary>The LSTM gates i, f, g, o at unit offset u of the gate scratch g (gate blocks <paramref name="stride"/> apart), or from their registers (<see cref="GatesInRegisters"/>).</summary>
        private void EmitLstmGateActivations(CodeWriter w, int width, string VT, System.Func<string, string, string> load, int stride)
        {
            string pi = Gate(width, 0, stride, load), pf = Gate(width, 1, stride, load);
            if (GatesInRegisters(width) && width < 16)
            {
                // i and f side by side in one vector twice as wide, where that width is accelerated: one sigmoid instead of
                // two. The four gate activations compete for the two FMA pipes (measured on Zen 5 before the x·P·(1/Q)
                // activations: one sigmoid a 38-cycle chain, four together 56; an LSTM cell update on one vector 120 -> 100
                // cycles). Same lanes, same bits.
                string wide = VectorClass(2 * width);
                w.Line(VT + " i, f;");
                w.Open("if (" + Accelerated(2 * width) + ")");
                w.Line(wide + "<float> sif = " + A + ".Sigmoid(" + wide + ".Create(" + pi + ", " + pf + "));");
                w.Line("i = " + wide + ".GetLower(sif);");
                w.Line("f = " + wide + ".GetUpper(sif);");
                w.Close();
                w.Open("else");
                w.Line("i = " + A + ".Sigmoid(" + pi + ");");
                w.Line("f = " + A + ".Sigmoid(" + pf + ");");
                w.Close();
            }
            else
            {
                w.Line(VT + " i = " + A + ".Sigmoid(" + pi + ");");
                w.Line(VT + " f = " + A + ".Sigmoid(" + pf + ");");
            }
            w.Line(VT + " gg = " + A + ".Tanh(" + Gate(width, 2, stride, load) + ");");
            w.Line(VT + " o = " + A + ".Sigmoid(" + Gate(width, 3, stride, load) + ");");
        }

        /// <summary>Statements <paramref name="perLine"/> to a line.</summary>
        private static void EmitPacked(CodeWriter w, List<string> statements, int perLine)
        {
            for (int i = 0; i < statements.Count; i += perLine) w.Line(string.Join(" ", statements.GetRange(i, System.Math.Min(perLine, statements.Count - i))));
        }

        /// <summary>
        /// Rows <paramref name="firstRow"/> .. + <paramref name="count"/> of the block's column panel <paramref name="panel"/> times the broadcast values of
        /// <paramref name="source"/>, into the block's accumulators: row j feeds chain j mod <paramref name="chains"/>.
        /// </summary>
        private void EmitRows(CodeWriter w, System.Func<string, string, string> load, string vt, string v,
            string source, string firstRow, int count, int n, string panel, int width, int chains, System.Func<int, bool> uses)
        {
            bool any = false;
            for (int i = 0; i < n; i++) any |= uses(i);
            if (count == 0 || !any) return;
            int stride = n * width; // floats per panel row
            int whole = count / chains * chains;
            if (whole > 0)
            {
                w.Open("for (nuint j = 0; j < " + I(whole) + "; j += " + I(chains) + ")");
                string line = vt + " x0 = " + v + ".Create(" + U + ".Add(ref " + source + ", j))";
                for (int c = 1; c < chains; c++) line += ", x" + I(c) + " = " + v + ".Create(" + U + ".Add(ref " + source + ", j + " + I(c) + "))";
                w.Line(line + ";");
                w.Line("ref float r0 = ref " + U + ".Add(ref " + panel + ", (" + firstRow + " + j) * " + I(stride) + ");");
                // Row by row, in address order: the loads stream through the panel (what the L1/L2 prefetchers follow best).
                for (int c = 0; c < chains; c++)
                {
                    if (c > 0) w.Line("ref float r" + I(c) + " = ref " + U + ".Add(ref r0, " + I(c * stride) + ");");
                    var fmas = new List<string>();
                    for (int i = 0; i < n; i++)
                    {
                        if (uses(i)) fmas.Add(Acc(c, i) + " = " + FmaExpr(v, "x" + I(c), load("r" + I(c), I(i * width)), Acc(c, i)) + ";");
                    }
                    EmitPacked(w, fmas, chains);
                }
                w.Close();
            }
            for (int j = whole; j < count; j++)
            {
                int c = j - whole;
                w.Open("");
                w.Line(vt + " xt = " + v + ".Create(" + U + ".Add(ref " + source + ", " + I(j) + "));");
                w.Line("ref float rt = ref " + U + ".Add(ref " + panel + ", (" + firstRow + " + " + I(j) + ") * " + I(stride) + ");");
                var fmas = new List<string>();
                for (int i = 0; i < n; i++) if (uses(i)) fmas.Add(Acc(c, i) + " = " + FmaExpr(v, "xt", load("rt", I(i * width)), Acc(c, i)) + ";");
                EmitPacked(w, fmas, chains);
                w.Close();
            }
        }
    }
}
