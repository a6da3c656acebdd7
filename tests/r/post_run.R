# The blog post's computations, from its first code block to its last, copied faithfully.
# Left out: the plots (contour, points, density, traceplot, autocorr.plot) and library(coda),
# which only draws them; none of them uses random numbers, so the draws are the post's.
#
# Output, for tests/test_replay.py: one line per quantity, "name | v1 v2 ...", every value an
# exact hexadecimal float (sprintf("%a")), matrices in R's column-major order.
library(LearnBayes)
put <- function(name, x) cat(name, "|", sprintf("%a", as.numeric(x)), "\n")
cat("# R", R.version$major, R.version$minor, "| BLAS", extSoftVersion()[["BLAS"]],
    "| LAPACK", La_library(), "\n")

## Separate estimates
y <- c(28, 8, -3, 7, -1, 1, 18, 12)
sigma <- c(15, 10, 16, 11, 9, 11, 10, 18)
q_025 <- rep(0, 8)
q_975 <- rep(0, 8)
for (i in 1:8){
q_025[i] <- qnorm(0.025, mean = y[i], sd = sigma[i])
q_975[i] <- qnorm(0.975, mean = y[i], sd = sigma[i])
}
put("q_025", q_025)
put("q_975", q_975)

## Pooled estimates
put("pooled_mean", sum(y/sigma^2)/sum(1/sigma^2))
put("pooled_var", 1/sum(1/sigma^2))

## Parameter estimation: the log posterior of (mu, log tau) and its mode
logpost <- function(lambda, sigma, y){
sum(-0.5*log(exp(2*lambda[2])+sigma^2) -
((lambda[1]-y)^2)/(2*(sigma^2+exp(2*lambda[2])))) +
lambda[2]
}
out <- optim(par = c(8, 2), fn = logpost, control = list(fnscale = -1),
hessian = TRUE, sigma = sigma, y = y)
post_mode <- out$par
post_cov <- -solve(out$hessian)
put("post_mode", post_mode)
put("post_cov", post_cov)
put("chol_lower", t(chol(post_cov)))  # the factor rwmetrop uses, t(a) with a = chol(var)

## MCMC sampling
set.seed(11)
iters <- 10^4
proposal <- list(var = post_cov, scale = 2)
fit1 <- rwmetrop(logpost, proposal, start = post_mode, iters, sigma, y)
put("accept", fit1$accept)
put("chain_lambda1", fit1$par[, 1])
put("chain_lambda2", fit1$par[, 2])

## The school effects
lambda_samples <- fit1$par[5001:iters,]
theta_hat <- function(lambda, y_j, sigma_j){
((y_j/sigma_j^2)+(lambda[,1]/exp(2*lambda[,2]))) /
((1/sigma_j^2)+(1/exp(2*lambda[,2])))
}
V <- function(lambda, y_j, sigma_j){
1 / (1/sigma_j^2 + 1/exp(2*lambda[,2]))
}
theta_samples <- function(lambda, y_j, sigma_j){
rnorm(5000, mean = theta_hat(lambda, y_j, sigma_j),
sd = sqrt(V(lambda, y_j, sigma_j)))
}
theta_mean <- rep(0, 8)
theta_sd <- rep(0,8)
theta_all <- matrix(0, nrow = 5000, 8)
for (j in 1:8){
thetas <- theta_samples(lambda_samples, y[j], sigma[j])
theta_all[,j] <- thetas
theta_mean[j] <- mean(thetas)
theta_sd[j] <- sd(thetas)
}
put("theta_mean", theta_mean)
put("theta_sd", theta_sd)
for (j in 1:8) put(paste0("theta_all_", j), theta_all[, j])

## Shrinkage
shrink_j <- function(lambda, sigma_j){
(1/exp(lambda[,2]))^2 / ((1/exp(lambda[,2]))^2+1/sigma_j^2)
}
shrink <-rep(0, 8)
for(j in 1:8){
shrink[j] <- mean(shrink_j(lambda_samples, sigma[j]))
}
put("shrink", shrink)
put("rank_shrink", rank(shrink))
put("rank_sigma", rank(sigma))

## Probabilities
put("p_A_above_28", sum(theta_all[,1] > 28) / length(theta_all[,1]))
prob <-c()
for(j in 2:8){
prob[j] <-mean(sum(theta_all[,1] > theta_all[,j])) / nrow(theta_all)
}
put("p_A_above", prob[2:8])

## Not in the post: logpost at every 97th draw of the chain and at three fixed points, to
## check the Python log posterior against the post's logpost.
points <- rbind(fit1$par[seq(1, iters, by = 97), ], c(0, 0), c(28, -3), c(-10, 4))
put("logpost_at", apply(points, 1, logpost, sigma = sigma, y = y))
