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

    /// Which model this is.
    pub fn kind(&self) -> ModelKind {
        match self {
            Net::DigitsMlp(_) => ModelKind::DigitsMlp,
            Net::DigitsCnn(_) => ModelKind::DigitsCnn,
            Net::Regressor(_) => ModelKind::Regressor,
        }
    }
}
