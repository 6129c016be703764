# Writes a safetensors file of Linear layers (fc<i>.weight [w, w], fc<i>.bias [w]) with small finite values.
import json, struct, sys, array, random
# usage: make_weights.py out.safetensors layers width [prefix]
out, layers, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prefix = sys.argv[4] if len(sys.argv) > 4 else "fc"
random.seed(1)
pattern = array.array('f', [random.uniform(-0.01, 0.01) for _ in range(4096)]).tobytes()
header, offset, tensors = {}, 0, []
for i in range(layers):
    for name, n, shape in ((f"{prefix}{i}.weight", width * width, [width, width]), (f"{prefix}{i}.bias", width, [width])):
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * n]}
        tensors.append(4 * n); offset += 4 * n
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h)
    for size in tensors:
        full, rest = divmod(size, len(pattern))
        for _ in range(full): f.write(pattern)
        f.write(pattern[:rest])
