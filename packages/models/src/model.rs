//! The networks of the zoo, their configs, and the table that ties a model id to its
//! architecture and on-chain input/output encoding.
//!
//! Every network's `forward` takes the *decoded on-chain input* as floats (digits: raw pixel
//! values 0–16; regressor: the 8 features) and does its own normalisation, so training and
//! inference share one code path.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::prelude::*;

use crate::data::{DIGIT_CLASSES, DIGIT_MAX_PIXEL, DIGIT_PIXELS, REGRESSION_FEATURES};

/// Multi-layer perceptron on flattened 8×8 digits: 64 → hidden → 10 logits.
#[derive(Module, Debug)]
pub struct DigitsMlp {
    hidden: Linear,
    activation: Relu,
    output: Linear,
}

/// Configuration of [`DigitsMlp`].
#[derive(Config, Debug)]
pub struct DigitsMlpConfig {
    /// Hidden units.
    #[config(default = 64)]
    pub hidden: usize,
}

impl DigitsMlpConfig {
    /// Build the network with freshly initialised parameters on `device`.
    pub fn init(&self, device: &Device) -> DigitsMlp {
        DigitsMlp {
            hidden: LinearConfig::new(DIGIT_PIXELS, self.hidden).init(device),
            activation: Relu::new(),
            output: LinearConfig::new(self.hidden, DIGIT_CLASSES).init(device),
        }
    }
}

impl DigitsMlp {
    /// Raw pixels (0–16) to class logits.
    pub fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        // [batch, 64]
        let x = pixels.div_scalar(f32::from(DIGIT_MAX_PIXEL));
        // [batch, hidden]
        let x = self.activation.forward(self.hidden.forward(x));
        // [batch, 10]
        self.output.forward(x)
    }
}

/// Small convolutional network on [batch, 1, 8, 8] digits:
/// conv3×3(8) → ReLU → maxpool 2 → conv3×3(16) → ReLU → maxpool 2 → fc(64) → ReLU → fc(10).
///
/// Pooling before the second convolution keeps training on the CPU backend fast (burn-ndarray's
/// convolution backward pass is the bottleneck).
#[derive(Module, Debug)]
pub struct DigitsCnn {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    fc1: Linear,
    fc2: Linear,
    activation: Relu,
}

/// Configuration of [`DigitsCnn`].
#[derive(Config, Debug)]
pub struct DigitsCnnConfig {
    /// Channels of the first convolution.
    #[config(default = 8)]
    pub channels1: usize,
    /// Channels of the second convolution.
    #[config(default = 16)]
    pub channels2: usize,
    /// Hidden units of the dense layer.
    #[config(default = 64)]
    pub hidden: usize,
}

impl DigitsCnnConfig {
    /// Build the network with freshly initialised parameters on `device`.
    pub fn init(&self, device: &Device) -> DigitsCnn {
        let conv = |c_in, c_out| {
            Conv2dConfig::new([c_in, c_out], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        DigitsCnn {
            conv1: conv(1, self.channels1),
            conv2: conv(self.channels1, self.channels2),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            // After two poolings: channels2 × 2 × 2.
            fc1: LinearConfig::new(self.channels2 * 4, self.hidden).init(device),
            fc2: LinearConfig::new(self.hidden, DIGIT_CLASSES).init(device),
            activation: Relu::new(),
        }
    }
}

impl DigitsCnn {
    /// Raw pixels (0–16, row-major) to class logits.
    pub fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        let [batch, _] = pixels.dims();
        // [batch, 1, 8, 8]
        let x = pixels
            .div_scalar(f32::from(DIGIT_MAX_PIXEL))
            .reshape([batch, 1, 8, 8]);
        // [batch, c1, 8, 8] → [batch, c1, 4, 4]
        let x = self
            .pool
            .forward(self.activation.forward(self.conv1.forward(x)));
        // [batch, c2, 4, 4] → [batch, c2, 2, 2]
        let x = self
            .pool
            .forward(self.activation.forward(self.conv2.forward(x)));
        // [batch, c2 × 4]
        let x = x.flatten::<2>(1, 3);
        // [batch, hidden]
        let x = self.activation.forward(self.fc1.forward(x));
        // [batch, 10]
        self.fc2.forward(x)
    }

    /// This network lowered for inference on an 8×8 input (see [`DenseCnn`]).
    pub fn lower(&self) -> Result<DenseCnn, String> {
        let conv1 = DenseConv::lower("conv1", &self.conv1, [1, 8, 8])?;
        let [c1, h1, w1] = conv1.out;
        let conv2 = DenseConv::lower("conv2", &self.conv2, [c1, h1 / 2, w1 / 2])?;
        Ok(DenseCnn {
            conv1,
            conv2,
            pool: self.pool.clone(),
            fc1: self.fc1.clone(),
            fc2: self.fc2.clone(),
            activation: Relu::new(),
        })
    }
}

/// [`DigitsCnn`] lowered for inference. A 3×3 convolution of a fixed small input (8×8, then
/// 4×4) is a linear map, so it is turned once, at load time, into one dense matrix (its
/// Toeplitz form: `[c_in·h·w, c_out·h·w]`), and each convolution of a batch becomes a single
/// matrix product — the fastest path on the CPU backends, whose direct convolution kernels are
/// built for large images (measured by `cargo bench -p acn-worker --bench job`). The function is
/// the one `DigitsCnn::forward` computes, with the sums taken in another order: outputs agree
/// within float rounding (tested on every held-out input against the module).
#[derive(Debug, Clone)]
pub struct DenseCnn {
    conv1: DenseConv,
    conv2: DenseConv,
    pool: MaxPool2d,
    fc1: Linear,
    fc2: Linear,
    activation: Relu,
}

impl DenseCnn {
    /// Raw pixels (0–16, row-major) to class logits, as [`DigitsCnn::forward`].
    pub fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        let [batch, _] = pixels.dims();
        let x = pixels.div_scalar(f32::from(DIGIT_MAX_PIXEL));
        // [batch, c1·8·8] → [batch, c1, 4, 4]
        let x = self.activation.forward(self.conv1.forward(x));
        let [c1, h1, w1] = self.conv1.out;
        let x = self.pool.forward(x.reshape([batch, c1, h1, w1]));
        // [batch, c1·4·4] → [batch, c2·4·4] → [batch, c2, 2, 2]
        let x = self
            .activation
            .forward(self.conv2.forward(x.flatten::<2>(1, 3)));
        let [c2, h2, w2] = self.conv2.out;
        let x = self.pool.forward(x.reshape([batch, c2, h2, w2]));
        // [batch, c2 × 4] → [batch, hidden] → [batch, 10]
        let x = self
            .activation
            .forward(self.fc1.forward(x.flatten::<2>(1, 3)));
        self.fc2.forward(x)
    }
}

/// One convolution as a dense matrix on a fixed input shape.
#[derive(Debug, Clone)]
struct DenseConv {
    /// `[c_in·h·w, c_out·oh·ow]`: input pixel (row-major, channel-major) to output pixel.
    weight: Tensor<2>,
    /// `[1, c_out·oh·ow]`: each channel's bias repeated over its pixels.
    bias: Tensor<2>,
    /// Output shape `[c_out, oh, ow]`.
    out: [usize; 3],
}

impl DenseConv {
    /// The dense form of `conv` (stride 1, no dilation, one group, explicit padding) on inputs
    /// of shape `[c_in, h, w]`.
    fn lower(name: &str, conv: &Conv2d, [c_in, h, w]: [usize; 3]) -> Result<Self, String> {
        let [c_out, k_in, kh, kw] = conv.weight.dims();
        let (pt, pl, pb, pr) = match conv.padding {
            PaddingConfig2d::Explicit(t, l, b, r) => (t, l, b, r),
            PaddingConfig2d::Valid => (0, 0, 0, 0),
            PaddingConfig2d::Same => return Err(format!("{name}: `Same` padding not lowered")),
        };
        if conv.stride != [1, 1] || conv.dilation != [1, 1] || conv.groups != 1 || k_in != c_in {
            return Err(format!(
                "{name}: only stride 1, dilation 1, one group are lowered"
            ));
        }
        let (oh, ow) = (
            (h + pt + pb + 1).saturating_sub(kh),
            (w + pl + pr + 1).saturating_sub(kw),
        );
        let kernel = param(format!("{name}.weight"), conv.weight.val())?.values;
        let (n_in, n_out) = (c_in * h * w, c_out * oh * ow);
        let mut dense = vec![0f32; n_in * n_out];
        for o in 0..c_out {
            for y in 0..oh {
                for x in 0..ow {
                    let col = (o * oh + y) * ow + x;
                    for i in 0..c_in {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                // Input pixel under kernel tap (ky, kx); padding contributes 0.
                                let (Some(iy), Some(ix)) =
                                    ((y + ky).checked_sub(pt), (x + kx).checked_sub(pl))
                                else {
                                    continue;
                                };
                                if iy >= h || ix >= w {
                                    continue;
                                }
                                let row = (i * h + iy) * w + ix;
                                dense[row * n_out + col] =
                                    kernel[((o * c_in + i) * kh + ky) * kw + kx];
                            }
                        }
                    }
                }
            }
        }
        let bias = match &conv.bias {
            Some(b) => param(format!("{name}.bias"), b.val())?.values,
            None => vec![0.0; c_out],
        };
        let bias: Vec<f32> = bias
            .iter()
            .flat_map(|b| std::iter::repeat_n(*b, oh * ow))
            .collect();
        let device = conv.weight.val().device();
        Ok(DenseConv {
            weight: Tensor::from_data(TensorData::new(dense, [n_in, n_out]), &device),
            bias: Tensor::from_data(TensorData::new(bias, [1, n_out]), &device),
            out: [c_out, oh, ow],
        })
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.weight.clone()).add(self.bias.clone())
    }
}

/// MLP regressor: 8 features → hidden → 1.
#[derive(Module, Debug)]
pub struct Regressor {
    hidden: Linear,
    activation: Relu,
    output: Linear,
}

/// Configuration of [`Regressor`].
#[derive(Config, Debug)]
pub struct RegressorConfig {
    /// Hidden units.
    #[config(default = 32)]
    pub hidden: usize,
}

impl RegressorConfig {
    /// Build the network with freshly initialised parameters on `device`.
    pub fn init(&self, device: &Device) -> Regressor {
        Regressor {
            hidden: LinearConfig::new(REGRESSION_FEATURES, self.hidden).init(device),
            activation: Relu::new(),
            output: LinearConfig::new(self.hidden, 1).init(device),
        }
    }
}

impl Regressor {
    /// Features to the prediction.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        // [batch, 8] → [batch, hidden]
        let x = self.activation.forward(self.hidden.forward(features));
        // [batch, 1]
        self.output.forward(x)
    }
}

/// The models of the zoo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// [`DigitsMlp`].
    DigitsMlp,
    /// [`DigitsCnn`].
    DigitsCnn,
    /// [`Regressor`].
    Regressor,
}

impl ModelKind {
    /// Every model, in registry order.
    pub const ALL: [ModelKind; 3] = [
        ModelKind::DigitsMlp,
        ModelKind::DigitsCnn,
        ModelKind::Regressor,
    ];

    /// On-chain model id.
    pub const fn id(self) -> &'static str {
        match self {
            ModelKind::DigitsMlp => "digits-mlp-v1",
            ModelKind::DigitsCnn => "digits-cnn-v1",
            ModelKind::Regressor => "regressor-v1",
        }
    }

    /// Architecture tag, as in `ModelSpec::architecture`: the engine builds the network from it.
    pub const fn architecture(self) -> &'static str {
        match self {
            ModelKind::DigitsMlp => "mlp-64-64-10",
            ModelKind::DigitsCnn => "cnn-1x8x8-c8-pool2-c16-pool2-fc64-10",
            ModelKind::Regressor => "mlp-8-32-1",
        }
    }

    /// The kind with this on-chain id (also accepts the id without its `-v1` suffix).
    pub fn from_id(id: &str) -> Option<ModelKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == id || k.id().strip_suffix("-v1") == Some(id))
    }

    /// The kind with this architecture tag.
    pub fn from_architecture(architecture: &str) -> Option<ModelKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.architecture() == architecture)
    }

    /// Elements of one input item.
    pub const fn input_elements(self) -> usize {
        match self {
            ModelKind::DigitsMlp | ModelKind::DigitsCnn => DIGIT_PIXELS,
            ModelKind::Regressor => REGRESSION_FEATURES,
        }
    }

    /// Outputs (logits or values) per item.
    pub const fn output_elements(self) -> usize {
        match self {
            ModelKind::DigitsMlp | ModelKind::DigitsCnn => DIGIT_CLASSES,
            ModelKind::Regressor => 1,
        }
    }

    /// A freshly initialised network of this kind on `device`.
    pub fn init(self, device: &Device) -> Net {
        match self {
            ModelKind::DigitsMlp => Net::DigitsMlp(DigitsMlpConfig::new().init(device)),
            ModelKind::DigitsCnn => Net::DigitsCnn(DigitsCnnConfig::new().init(device)),
            ModelKind::Regressor => Net::Regressor(RegressorConfig::new().init(device)),
        }
    }
}

/// One parameter tensor of a network, in burn's layout: `Linear` weights are
/// `[inputs, outputs]` (PyTorch stores the transpose), `Conv2d` weights `[out, in, kh, kw]`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedParam {
    /// Dotted name, e.g. `hidden.weight`.
    pub name: String,
    /// Tensor shape.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub values: Vec<f32>,
}

fn param<const D: usize>(name: String, tensor: Tensor<D>) -> Result<NamedParam, String> {
    let shape = tensor.dims().to_vec();
    let values = tensor
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .map_err(|e| format!("{name}: {e:?}"))?;
    Ok(NamedParam {
        name,
        shape,
        values,
    })
}

fn linear_params(name: &str, layer: &Linear, out: &mut Vec<NamedParam>) -> Result<(), String> {
    out.push(param(format!("{name}.weight"), layer.weight.val())?);
    if let Some(b) = &layer.bias {
        out.push(param(format!("{name}.bias"), b.val())?);
    }
    Ok(())
}

fn conv_params(name: &str, layer: &Conv2d, out: &mut Vec<NamedParam>) -> Result<(), String> {
    out.push(param(format!("{name}.weight"), layer.weight.val())?);
    if let Some(b) = &layer.bias {
        out.push(param(format!("{name}.bias"), b.val())?);
    }
    Ok(())
}

/// Any network of the zoo.
// One value per loaded model: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Net {
    /// [`DigitsMlp`].
    DigitsMlp(DigitsMlp),
    /// [`DigitsCnn`].
    DigitsCnn(DigitsCnn),
    /// [`Regressor`].
    Regressor(Regressor),
}

impl Net {
    /// Decoded inputs `[batch, input_elements]` to outputs `[batch, output_elements]`.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        match self {
            Net::DigitsMlp(m) => m.forward(input),
            Net::DigitsCnn(m) => m.forward(input),
            Net::Regressor(m) => m.forward(input),
        }
    }

    /// Every parameter tensor, named after the network's fields (used to run the very same
    /// weights in another framework, e.g. the PyTorch column of the benchmark).
    pub fn parameters(&self) -> Result<Vec<NamedParam>, String> {
        let mut out = vec![];
        match self {
            Net::DigitsMlp(m) => {
                linear_params("hidden", &m.hidden, &mut out)?;
                linear_params("output", &m.output, &mut out)?;
            }
            Net::DigitsCnn(m) => {
                conv_params("conv1", &m.conv1, &mut out)?;
                conv_params("conv2", &m.conv2, &mut out)?;
                linear_params("fc1", &m.fc1, &mut out)?;
                linear_params("fc2", &m.fc2, &mut out)?;
            }
            Net::Regressor(m) => {
                linear_params("hidden", &m.hidden, &mut out)?;
                linear_params("output", &m.output, &mut out)?;
            }
        }
        Ok(out)
    }

    /// The network as the engine runs it for inference: [`DenseCnn`] for the CNN, `None` (the
    /// modules themselves) for the others.
    pub fn lower(&self) -> Result<Option<DenseCnn>, String> {
        match self {
            Net::DigitsCnn(m) => m.lower().map(Some),
            Net::DigitsMlp(_) | Net::Regressor(_) => Ok(None),
        }
    }

    /// Which model this is.
    pub fn kind(&self) -> ModelKind {
        match self {
            Net::DigitsMlp(_) => ModelKind::DigitsMlp,
            Net::DigitsCnn(_) => ModelKind::DigitsCnn,
            Net::Regressor(_) => ModelKind::Regressor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SplitMix64;

    #[allow(deprecated)] // the reference CPU backend
    fn cpu() -> Device {
        Device::ndarray()
    }

    fn random(rng: &mut SplitMix64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| (rng.next_f64() * 2.0 - 1.0) as f32)
            .collect()
    }

    /// The dense form of a convolution is the convolution: random weights, input shapes and
    /// paddings, against burn's own conv2d.
    #[test]
    fn a_lowered_convolution_equals_the_convolution() {
        let device = cpu();
        let mut rng = SplitMix64::new(11);
        for (c_in, c_out, h, w, padding) in [
            (1, 8, 8, 8, PaddingConfig2d::Explicit(1, 1, 1, 1)),
            (8, 16, 4, 4, PaddingConfig2d::Explicit(1, 1, 1, 1)),
            (3, 5, 6, 7, PaddingConfig2d::Valid),
            (2, 4, 5, 5, PaddingConfig2d::Explicit(2, 2, 2, 2)),
        ] {
            let conv = Conv2dConfig::new([c_in, c_out], [3, 3])
                .with_padding(padding.clone())
                .init(&device);
            let dense = DenseConv::lower("conv", &conv, [c_in, h, w]).unwrap();
            let batch = 5;
            let x = Tensor::<2>::from_data(
                TensorData::new(
                    random(&mut rng, batch * c_in * h * w),
                    [batch, c_in * h * w],
                ),
                &device,
            );
            let expected = conv.forward(x.clone().reshape([batch, c_in, h, w]));
            let [_, co, oh, ow] = expected.dims();
            assert_eq!([co, oh, ow], dense.out, "{padding:?}");
            let expected = expected
                .flatten::<2>(1, 3)
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let got = dense.forward(x).into_data().try_to_vec::<f32>().unwrap();
            assert_eq!(got.len(), expected.len());
            let diff = got
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(diff < 1e-5, "{padding:?}: max diff {diff}");
        }
    }

    #[test]
    fn strided_or_grouped_convolutions_are_not_lowered() {
        let device = cpu();
        let strided = Conv2dConfig::new([1, 2], [3, 3])
            .with_stride([2, 2])
            .init(&device);
        assert!(DenseConv::lower("c", &strided, [1, 8, 8]).is_err());
        let grouped = Conv2dConfig::new([2, 2], [3, 3])
            .with_groups(2)
            .init(&device);
        assert!(DenseConv::lower("c", &grouped, [2, 8, 8]).is_err());
    }
}
