// Placeholder: filled by the simulator fidelity work (issue 15).
