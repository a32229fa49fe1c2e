"""AutoRec tuning on the dslabs MovieLens ratings (a CSV as bench/recommend.mjs writes it), in PyTorch for speed: the
same model as @vae/models' AutoRec (sigmoid hidden layer, identity output, squared error on observed ratings,
lambda/2 weight decay on both kernels), trained by Adam on minibatches, full-batch Rprop or L-BFGS, with the
validation RMSE (clipped to [0.5, 5], unseen items get 3) every epoch (every 10 steps for the full-batch optimizers).
The tuning split is numpy's permutation with seed 100 (test, never looked at) then 101 (validation): not the
reported splits. One JSON line per configuration.
usage: RATINGS=ratings.csv python3 bench/autorec_tune.py '{"kind":"item","opt":"rprop","lam":300,"lr":1e-3,"epochs":100}' ...
"""
import os, sys, json, time, numpy as np, torch
torch.set_num_threads(1)
raw = np.loadtxt(os.environ.get('RATINGS', 'ratings.csv'), delimiter=',', skiprows=1)
u_ids, u = np.unique(raw[:,0], return_inverse=True); i_ids, it = np.unique(raw[:,1], return_inverse=True); r = raw[:,2].astype(np.float32)
nu, ni = len(u_ids), len(i_ids)
def split(seed, idx, frac=0.1):
    rng = np.random.RandomState(seed); p = rng.permutation(idx); k = int(round(frac*len(idx))); return p[k:], p[:k]
tr_all, te = split(100, np.arange(len(r)))      # tuning split (not a reported one)
tr, va = split(101, tr_all)
def dense(idx, kind):
    rows, cols = (it, u) if kind=='item' else (u, it)
    nr, nc = (ni, nu) if kind=='item' else (nu, ni)
    R = torch.zeros(nr, nc); M = torch.zeros(nr, nc)
    R[rows[idx], cols[idx]] = torch.from_numpy(r[idx]); M[rows[idx], cols[idx]] = 1
    return R, M
def rmse(model, R, idx, kind, train_idx):
    rows, cols = (it, u) if kind=='item' else (u, it)
    with torch.no_grad(): P = model(R)
    p = P[rows[idx], cols[idx]].numpy()
    seen_u = np.zeros(nu, bool); seen_u[u[train_idx]] = True; seen_i = np.zeros(ni, bool); seen_i[it[train_idx]] = True
    p = np.where(seen_u[u[idx]] & seen_i[it[idx]], p, 3.0)
    p = np.clip(p, 0.5, 5); return float(np.sqrt(np.mean((p - r[idx])**2)))
class AR(torch.nn.Module):
    def __init__(s, n, h): super().__init__(); s.enc = torch.nn.Linear(n, h); s.dec = torch.nn.Linear(h, n)
    def forward(s, x): return s.dec(torch.sigmoid(s.enc(x)))
def run(kind, opt, lam, lr, epochs, batch=None, seed=1, hidden=500):
    torch.manual_seed(seed)
    R, M = dense(tr, kind); m = AR(R.shape[1], hidden)
    nrows = R.shape[0]
    def loss_of(idx):
        x = R[idx]; out = m(x)
        return ((out - x)**2 * M[idx]).sum() + lam/2 * len(idx)/nrows * (m.enc.weight.pow(2).sum() + m.dec.weight.pow(2).sum())
    hist = []
    if opt == 'adam' or opt == 'sgd':
        o = torch.optim.Adam(m.parameters(), lr=lr) if opt=='adam' else torch.optim.SGD(m.parameters(), lr=lr)
        for e in range(epochs):
            perm = torch.randperm(nrows)
            for k in range(0, nrows, batch):
                idx = perm[k:k+batch]; o.zero_grad(); l = loss_of(idx); l.backward(); o.step()
            hist.append(rmse(m, R, va, kind, tr))
    elif opt == 'rprop':
        o = torch.optim.Rprop(m.parameters(), lr=lr)
        allidx = torch.arange(nrows)
        for e in range(epochs):
            o.zero_grad(); l = loss_of(allidx); l.backward(); o.step()
            if (e+1) % 10 == 0: hist.append(rmse(m, R, va, kind, tr))
    elif opt == 'lbfgs':
        o = torch.optim.LBFGS(m.parameters(), lr=1, max_iter=lr and int(lr) or 20, history_size=10, line_search_fn='strong_wolfe')
        allidx = torch.arange(nrows)
        def closure():
            o.zero_grad(); l = loss_of(allidx); l.backward(); return l
        for e in range(epochs):
            o.step(closure); hist.append(rmse(m, R, va, kind, tr))
    best = int(np.argmin(hist))
    return {'kind': kind, 'opt': opt, 'lam': lam, 'lr': lr, 'batch': batch, 'best_epoch': best+1, 'best': round(hist[best],4), 'last': round(hist[-1],4), 'curve': [round(h,3) for h in hist[::max(1,len(hist)//10)]]}
configs = [json.loads(a) for a in sys.argv[1:]]
for c in configs:
    t = time.time(); res = run(**c); res['s'] = round(time.time()-t,1); print(json.dumps(res), flush=True)
